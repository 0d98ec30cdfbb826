// RFC 5804 §2.4 CAPABILITY (also the greeting, §1.7, and the reply to a completed STARTTLS, §2.2):
// IMPLEMENTATION, SASL (the mechanisms this connection may use), SIEVE, STARTTLS while it can still be
// used, MAXREDIRECTS, OWNER once authenticated, VERSION "1.0" and UNAUTHENTICATE.
import type { SessionContext } from "../session/session-context.js";
import { formatString, ok } from "../wire/managesieve-response.js";
import { ANY_STATE, type CommandHandler } from "./command-handler.js";

export function capabilityLines(ctx: SessionContext): string {
  const { settings } = ctx.deps;
  const mechanisms = ctx.deps.services.authenticator.mechanisms(ctx.saslTransport());
  const lines: [string, string?][] = [
    ["IMPLEMENTATION", "Postfach"],
    ["SASL", ctx.state.kind === "authenticated" ? "" : mechanisms.join(" ")],
    ["SIEVE", settings.extensions.join(" ")],
  ];
  if (ctx.deps.offerStartTls && !ctx.conn.isTls) lines.push(["STARTTLS"]);
  lines.push(["MAXREDIRECTS", String(settings.maxRedirects)]);
  if (ctx.state.kind === "authenticated") lines.push(["OWNER", ctx.state.account.address]);
  lines.push(["VERSION", "1.0"], ["UNAUTHENTICATE"]);
  return lines
    .map(([name, value]) =>
      value === undefined ? formatString(name) : `${formatString(name)} ${formatString(value)}`,
    )
    .map((line) => `${line}\r\n`)
    .join("");
}

export const capability: CommandHandler = {
  states: ANY_STATE,
  async run(ctx) {
    ctx.write(capabilityLines(ctx));
    await ctx.reply(ok("Capability completed"));
    return "continue";
  },
};
