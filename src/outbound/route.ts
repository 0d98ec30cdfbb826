// Where a recipient domain's mail goes (RFC 5321 §5.1): its MX hosts by preference, or the domain itself
// when it has no MX (the implicit MX), never when it publishes a null MX (RFC 7505); each host's
// addresses from the configurable resolver. A smarthost, when configured, replaces all of this.
import { isIP } from "node:net";
import { type DnsResolver, isNoRecordsError } from "../net/dns-resolver.js";
import type { SmtpTarget } from "./smtp-client.js";

export type Route =
  | { readonly kind: "hosts"; readonly targets: readonly SmtpTarget[] }
  /** No host to try: `reply` says why, as a reply for the queue and the DSN. */
  | { readonly kind: "none"; readonly reply: string; readonly isPermanent: boolean };

export async function routeToMx(domain: string, dns: DnsResolver, port: number): Promise<Route> {
  const mxTarget = (host: string, servername: string): SmtpTarget => ({
    host,
    port,
    servername,
    // RFC 7435: encrypt when the MX offers it, without demanding a certificate it may not have.
    tls: "opportunistic",
    verifyTls: false,
    auth: null,
  });
  const literal = /^\[(?:IPv6:)?([^\]]+)\]$/i.exec(domain)?.[1];
  if (literal !== undefined && isIP(literal) !== 0)
    return { kind: "hosts", targets: [mxTarget(literal, literal)] };
  let exchanges: string[];
  try {
    const records = await dns.resolveMx(domain);
    if (records.length === 1 && (records[0]?.exchange ?? "").replace(/\.$/, "") === "") {
      return { kind: "none", reply: "556 5.1.10 The domain accepts no mail (null MX)", isPermanent: true };
    }
    exchanges = [...records]
      .sort((a, b) => a.priority - b.priority)
      .map((r) => r.exchange.replace(/\.$/, ""));
  } catch (error) {
    const code = (error as { code?: string }).code ?? "unknown";
    if (code === "ENOTFOUND")
      return { kind: "none", reply: `550 5.1.2 No such domain: ${domain}`, isPermanent: true };
    if (!isNoRecordsError(error))
      return { kind: "none", reply: `451 4.4.3 MX lookup of ${domain} failed (${code})`, isPermanent: false };
    exchanges = [domain];
  }
  const targets: SmtpTarget[] = [];
  let lookupFailure: string | null = null;
  for (const exchange of exchanges) {
    if (isIP(exchange) !== 0) {
      targets.push(mxTarget(exchange, exchange));
      continue;
    }
    for (const lookup of [dns.resolve4, dns.resolve6]) {
      try {
        for (const address of await lookup.call(dns, exchange)) targets.push(mxTarget(address, exchange));
      } catch (error) {
        if (!isNoRecordsError(error)) lookupFailure = (error as { code?: string }).code ?? "unknown";
      }
    }
  }
  if (targets.length > 0) return { kind: "hosts", targets };
  if (lookupFailure !== null)
    return {
      kind: "none",
      reply: `451 4.4.3 Address lookup of ${domain}'s MX failed (${lookupFailure})`,
      isPermanent: false,
    };
  return { kind: "none", reply: `550 5.4.4 No address for ${domain}'s mail hosts`, isPermanent: true };
}
