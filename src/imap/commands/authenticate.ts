// AUTHENTICATE (RFC 9051 §6.2.2) with SASL-IR (RFC 4959): the shared SASL exchanges of auth/, framed
// as `+ base64` challenges and base64 continuation lines; `*` cancels. Mechanisms that reveal the
// password (PLAIN, LOGIN, OAUTHBEARER) need TLS or loopback; SCRAM does not.
import {
  decodeSaslBase64,
  PLAINTEXT_MECHANISMS,
  parseMechanismName,
} from "../../auth/sasl/sasl-mechanism.js";
import { bad, type CommandContext, type CommandOutcome, no } from "../session/command-context.js";
import { startAuthenticated } from "../session/start-authenticated.js";
import type { CommandOf } from "../wire/command.js";

/** Bounds the exchange so a client cannot keep the session in AUTHENTICATE forever. */
const MAX_STEPS = 5;

export async function authenticate(
  ctx: CommandContext,
  command: CommandOf<"authenticate">,
): Promise<CommandOutcome> {
  const transport = ctx.session.saslTransport();
  const mechanism = parseMechanismName(command.mechanism);
  if (mechanism !== null && PLAINTEXT_MECHANISMS.has(mechanism) && !transport.isPlaintextAllowed) {
    return no("Plaintext authentication disallowed on non-secure connections", { kind: "PRIVACYREQUIRED" });
  }
  const exchange = ctx.services.authenticator.startSasl(command.mechanism, transport);
  if (mechanism === null || exchange === null)
    return no(`Unsupported mechanism ${command.mechanism}`, { kind: "CANNOT" });
  let response: Buffer | null = null;
  if (command.initialResponse !== null) {
    response = decodeSaslBase64(command.initialResponse);
    if (response === null) return bad("Invalid base64 in initial response");
  }
  for (let step = 0; step < MAX_STEPS; step++) {
    const result = await exchange.step(response);
    if (result.kind === "malformed") return bad(result.reason);
    if (result.kind === "success") return startAuthenticated(ctx, result.account, mechanism);
    const line = await ctx.session.readContinuation(result.data.toString("base64"));
    if (line === null) return bad("Authentication cancelled");
    response = decodeSaslBase64(line);
    if (response === null) return bad("Invalid base64 in response");
  }
  return no("Authentication exchange too long", { kind: "AUTHENTICATIONFAILED" });
}
