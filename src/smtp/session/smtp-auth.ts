// RFC 4954 AUTH for the submission session: one SASL exchange of auth/ (PLAIN, LOGIN, SCRAM-SHA-256
// [-PLUS], OAUTHBEARER) framed as "334 base64" challenges, "*" to cancel, 235 on success and 535 5.7.8
// on every kind of failure (the limiter and audit log run inside the Authenticator).
import { isPlaintextAuthAllowed } from "../../auth/plaintext-policy.js";
import { channelBindingsOf } from "../../auth/sasl/channel-binding.js";
import type { SaslExchange } from "../../auth/sasl/sasl-exchange.js";
import { decodeSaslBase64 } from "../../auth/sasl/sasl-mechanism.js";
import { isMailError } from "../../kit/mail-error.js";
import type { Connection } from "../../net/connection.js";
import type { AccountRecord } from "../../store/mail-store.js";
import { reply, type SmtpReply } from "../wire/smtp-reply.js";
import type { SubmissionDeps } from "./submission-deps.js";

/** Bounds the exchange so a client cannot stay in AUTH forever. */
const MAX_STEPS = 5;

export type AuthStep =
  /** "334 " and the base64 challenge (RFC 4954 §4: the space stays even when the challenge is empty). */
  | { readonly kind: "challenge"; readonly line: string }
  | { readonly kind: "done"; readonly reply: SmtpReply; readonly account: AccountRecord | null };

export function authMechanisms(conn: Connection, deps: SubmissionDeps): string[] {
  return deps.authenticator.mechanisms({
    isPlaintextAllowed: isPlaintextAuthAllowed(deps.plaintextAuth, conn.isTls, conn.remoteAddress),
    channelBindings: channelBindingsOf(conn.socket),
  });
}

/** One running AUTH exchange: `start` with the initial response, then `respond` to each client line. */
export class SmtpAuthDialog {
  #steps = 0;

  private constructor(private readonly exchange: SaslExchange) {}

  /** Null when the mechanism is unknown or not offered on this connection (e.g. PLAIN before TLS). */
  static open(conn: Connection, deps: SubmissionDeps, mechanism: string): SmtpAuthDialog | null {
    const exchange = deps.authenticator.startSasl(mechanism, {
      remoteAddress: conn.remoteAddress,
      protocol: "smtp",
      isPlaintextAllowed: isPlaintextAuthAllowed(deps.plaintextAuth, conn.isTls, conn.remoteAddress),
      channelBindings: channelBindingsOf(conn.socket),
    });
    return exchange === null ? null : new SmtpAuthDialog(exchange);
  }

  start(initialResponse: string | null): Promise<AuthStep> {
    if (initialResponse === null) return this.#step(null);
    const response = decodeSaslBase64(initialResponse);
    if (response === null)
      return Promise.resolve(done(reply(501, "5.5.2", "Invalid base64 in initial response")));
    return this.#step(response);
  }

  respond(line: string): Promise<AuthStep> {
    if (line.trim() === "*") return Promise.resolve(done(reply(501, "5.0.0", "Authentication cancelled")));
    const response = decodeSaslBase64(line);
    if (response === null)
      return Promise.resolve(done(reply(501, "5.5.2", "Invalid base64 in SASL response")));
    return this.#step(response);
  }

  async #step(response: Buffer | null): Promise<AuthStep> {
    if (++this.#steps > MAX_STEPS) return failed();
    let result: Awaited<ReturnType<SaslExchange["step"]>>;
    try {
      result = await this.exchange.step(response);
    } catch (error) {
      if (isMailError(error) && error.code === "authFailed") return failed();
      throw error;
    }
    if (result.kind === "success")
      return {
        kind: "done",
        reply: reply(235, "2.7.0", "Authentication successful"),
        account: result.account,
      };
    if (result.kind === "malformed") return failed();
    return { kind: "challenge", line: `334 ${result.data.toString("base64")}\r\n` };
  }
}

const done = (r: SmtpReply): AuthStep => ({ kind: "done", reply: r, account: null });
const failed = (): AuthStep => done(reply(535, "5.7.8", "Authentication credentials invalid"));
