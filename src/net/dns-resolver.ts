// The one DNS resolver of the server: MX lookups for outbound delivery, TXT/A/AAAA/PTR for SPF, DKIM and
// DMARC. Servers come from [dns] servers (the system's resolv.conf when empty), so tests point it at a
// loopback DNS server and nothing resolves real names.
import { Resolver } from "node:dns/promises";
import { isIPv4, isIPv6 } from "node:net";

/** [dns] of the config, as the resolver needs it. */
export interface DnsResolverOptions {
  /** "ip" or "ip:port" ("[v6]:port"); empty means the system's servers. */
  readonly servers: readonly string[];
  /** How long one query to one server may take before it is retried. */
  readonly timeoutMs: number;
  /** Attempts per server before a lookup fails with ETIMEOUT. */
  readonly tries: number;
}

export interface MxRecord {
  readonly exchange: string;
  readonly priority: number;
}

/**
 * Contract: the node:dns/promises shapes and error codes (ENOTFOUND for NXDOMAIN, ENODATA for a name
 * without records of the type, ETIMEOUT, ESERVFAIL…), so callers and mailauth handle them as they would
 * node's own resolver. `resolve` is the generic form mailauth's `resolver` option expects.
 */
export interface DnsResolver {
  resolveMx(name: string): Promise<MxRecord[]>;
  resolveTxt(name: string): Promise<string[][]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
  /** PTR names of an address (reverse lookup). */
  reverse(address: string): Promise<string[]>;
  resolve(name: string, rrtype: string): Promise<unknown>;
}

/** Error codes of lookups that found an answer saying "no such records", as opposed to a failure. */
export const DNS_NO_RECORDS = new Set(["ENOTFOUND", "ENODATA"]);

/** True when `error` means the name or its records do not exist (not a timeout or server failure). */
export function isNoRecordsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && DNS_NO_RECORDS.has(code);
}

export function createDnsResolver(options: DnsResolverOptions): DnsResolver {
  const resolver = new Resolver({ timeout: options.timeoutMs, tries: options.tries });
  if (options.servers.length > 0) resolver.setServers([...options.servers]);
  return {
    resolveMx: (name) => resolver.resolveMx(name),
    resolveTxt: (name) => resolver.resolveTxt(name),
    resolve4: (name) => resolver.resolve4(name),
    resolve6: (name) => resolver.resolve6(name),
    // A PTR query rather than resolver.reverse(), which answers from /etc/hosts before asking the servers.
    reverse: (address) => resolver.resolvePtr(reverseName(address)),
    resolve: (name, rrtype) => resolver.resolve(name, rrtype),
  };
}

/** The name a PTR query asks for an address: 4.3.2.1.in-addr.arpa, or the ip6.arpa nibbles. */
export function reverseName(address: string): string {
  // An IPv4-mapped address (a dual-stack socket's peer) is the IPv4 host.
  const mapped = /^::ffff:([0-9.]+)$/i.exec(address)?.[1];
  if (mapped !== undefined && isIPv4(mapped)) return reverseName(mapped);
  if (isIPv4(address)) return `${address.split(".").reverse().join(".")}.in-addr.arpa`;
  if (!isIPv6(address)) throw new Error(`${address} is not an IP address`);
  const nibbles = ipv6Groups(address)
    .map((group) => group.padStart(4, "0"))
    .join("");
  return `${[...nibbles].reverse().join(".")}.ip6.arpa`;
}

/** The eight hex groups of an IPv6 address, "::" expanded (no embedded IPv4 form). */
export function ipv6Groups(address: string): string[] {
  const [head = "", tail = ""] = address.split("::");
  const groups = (text: string) => (text === "" ? [] : text.split(":"));
  const missing = 8 - groups(head).length - groups(tail).length;
  return [...groups(head), ...Array<string>(missing).fill("0"), ...groups(tail)];
}
