// RFC 4954 AUTH for the submission session: one SASL exchange of auth/ (PLAIN, LOGIN, SCRAM-SHA-256
// [-PLUS], OAUTHBEARER) framed as "334 base64" challenges, "*" to cancel, 235 on success and 535 5.7.8
// on every kind of failure (the limiter and audit log run inside the Authenticator).
import { saslTransportOf } from "../../auth/authenticator.js";
import { SaslDialog, type SaslTurn } from "../../auth/sasl/sasl-dialog.js";
import type { Connection } from "../../net/connection.js";
import type { AccountRecord } from "../../store/mail-store.js";
import { reply, type SmtpReply } from "../wire/smtp-reply.js";
import type { SubmissionDeps } from "./submission-deps.js";

export type AuthStep =
  /** "334 " and the base64 challenge (RFC 4954 §4: the space stays even when the challenge is empty). */
  | { readonly kind: "challenge"; readonly line: string }
  | { readonly kind: "done"; readonly reply: SmtpReply; readonly account: AccountRecord | null };

export function authMechanisms(conn: Connection, deps: SubmissionDeps): string[] {
  return deps.authenticator.mechanisms(saslTransportOf("smtp", deps.plaintextAuth, conn));
}

/** One running AUTH exchange: `start` with the initial response, then `respond` to each client line. */
export class SmtpAuthDialog {
  private constructor(private readonly dialog: SaslDialog) {}

  /** Null when the mechanism is unknown or not offered on this connection (e.g. PLAIN before TLS). */
  static open(conn: Connection, deps: SubmissionDeps, mechanism: string): SmtpAuthDialog | null {
    const exchange = deps.authenticator.startSasl(
      mechanism,
      saslTransportOf("smtp", deps.plaintextAuth, conn),
    );
    return exchange === null ? null : new SmtpAuthDialog(new SaslDialog(exchange));
  }

  async start(initialResponse: string | null): Promise<AuthStep> {
    return authStep(await this.dialog.start(initialResponse));
  }

  async respond(line: string): Promise<AuthStep> {
    const answer =
      line.trim() === "*" ? { kind: "cancel" as const } : { kind: "response" as const, text: line };
    return authStep(await this.dialog.respond(answer));
  }
}

function authStep(turn: SaslTurn): AuthStep {
  switch (turn.kind) {
    case "challenge":
      return { kind: "challenge", line: `334 ${turn.data.toString("base64")}\r\n` };
    case "success":
      return { kind: "done", reply: reply(235, "2.7.0", "Authentication successful"), account: turn.account };
    case "failed":
    case "malformed":
    case "tooManySteps":
      return done(reply(535, "5.7.8", "Authentication credentials invalid"));
    case "invalidBase64":
      return done(
        reply(
          501,
          "5.5.2",
          turn.isInitial ? "Invalid base64 in initial response" : "Invalid base64 in SASL response",
        ),
      );
    case "cancelled":
      return done(reply(501, "5.0.0", "Authentication cancelled"));
    case "stopped":
      return turn.stop;
  }
}

const done = (r: SmtpReply): AuthStep => ({ kind: "done", reply: r, account: null });
