// AUTHENTICATE (RFC 9051 §6.2.2) with SASL-IR (RFC 4959): the shared SASL exchanges of auth/, framed
// as `+ base64` challenges and base64 continuation lines; `*` cancels.
import { decodeSaslBase64, isPasswordMechanism, startSaslExchange } from "../../auth/sasl/sasl-mechanism.js";
import { bad, type CommandContext, type CommandOutcome, no, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

/** Bounds the exchange so a client cannot keep the session in AUTHENTICATE forever. */
const MAX_STEPS = 5;

export async function authenticate(
  ctx: CommandContext,
  command: CommandOf<"authenticate">,
): Promise<CommandOutcome> {
  const mechanism = command.mechanism.toUpperCase();
  if (!isPasswordMechanism(mechanism))
    return no(`Unsupported mechanism ${command.mechanism}`, { kind: "CANNOT" });
  if (!ctx.session.isPlaintextAuthAllowed) {
    return no("Plaintext authentication disallowed on non-secure connections", { kind: "PRIVACYREQUIRED" });
  }
  const exchange = startSaslExchange(mechanism);
  let response: Buffer | null = null;
  if (command.initialResponse !== null) {
    response = decodeSaslBase64(command.initialResponse);
    if (response === null) return bad("Invalid base64 in initial response");
  }
  for (let step = 0; step < MAX_STEPS; step++) {
    const result = exchange.step(response);
    if (result.kind === "malformed") return bad(result.reason);
    if (result.kind === "credentials") {
      const account = await ctx.services.authenticator.authenticate(result.credentials);
      ctx.session.setState({ kind: "authenticated", account });
      ctx.log.info({ account: account.address, mechanism }, "imap login");
      return ok("Logged in", { kind: "CAPABILITY", capabilities: ctx.session.capabilities() });
    }
    const line = await ctx.session.readContinuation(result.data.toString("base64"));
    if (line === null) return bad("Authentication cancelled");
    response = decodeSaslBase64(line);
    if (response === null) return bad("Invalid base64 in response");
  }
  return no("Authentication exchange too long", { kind: "AUTHENTICATIONFAILED" });
}
