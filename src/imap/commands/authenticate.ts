// AUTHENTICATE (RFC 9051 §6.2.2) with SASL-IR (RFC 4959): the shared SASL exchanges of auth/, framed
// as `+ base64` challenges and base64 continuation lines; `*` cancels. Mechanisms that reveal the
// password (PLAIN, LOGIN, OAUTHBEARER) need TLS or loopback; SCRAM does not.
import { runSaslDialog } from "../../auth/sasl/sasl-dialog.js";
import { PLAINTEXT_MECHANISMS, parseMechanismName } from "../../auth/sasl/sasl-mechanism.js";
import { bad, type CommandContext, type CommandOutcome, no } from "../session/command-context.js";
import { startAuthenticated } from "../session/start-authenticated.js";
import type { CommandOf } from "../wire/command.js";

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
  const outcome = await runSaslDialog<never>(exchange, command.initialResponse, async (challenge) => {
    const line = await ctx.session.readContinuation(challenge.toString("base64"));
    return line === null ? { kind: "cancel" } : { kind: "response", text: line };
  });
  switch (outcome.kind) {
    case "success":
      return startAuthenticated(ctx, outcome.account, mechanism);
    case "failed":
      // The one IMAP mapping of MailError turns it into NO [AUTHENTICATIONFAILED].
      throw outcome.error;
    case "malformed":
      return bad(outcome.reason);
    case "tooManySteps":
      return no("Authentication exchange too long", { kind: "AUTHENTICATIONFAILED" });
    case "invalidBase64":
      return bad(outcome.isInitial ? "Invalid base64 in initial response" : "Invalid base64 in response");
    case "cancelled":
      // readContinuation answers null for "*" and for a closed connection alike.
      return bad("Authentication cancelled");
    case "stopped":
      return outcome.stop;
  }
}
