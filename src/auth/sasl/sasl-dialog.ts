// The protocol-independent part of an AUTHENTICATE/AUTH command (RFC 4422 §3.4-3.6, §5): decode the
// optional initial response, step the mechanism, stop after a bounded number of steps, turn refused
// credentials into one outcome. Protocols frame challenges and responses and map each outcome to a reply.
import { isMailError, type MailError } from "../../kit/mail-error.js";
import type { AccountRecord } from "../../store/mail-store.js";
import type { SaslExchange } from "./sasl-exchange.js";
import { decodeSaslBase64 } from "./sasl-mechanism.js";

/** Bounds an exchange so a client cannot keep a session in AUTHENTICATE forever. */
export const MAX_SASL_STEPS = 5;

/** How an exchange ended; `Stop` is whatever a protocol's reader ended it with (see SaslChannel). */
export type SaslOutcome<Stop = never> =
  | { readonly kind: "success"; readonly account: AccountRecord }
  /** Wrong credentials of any kind (MailError "authFailed"): the limiter has counted and delayed it. */
  | { readonly kind: "failed"; readonly error: MailError }
  /** The client broke the mechanism's syntax; no credentials were tried. */
  | { readonly kind: "malformed"; readonly reason: string }
  | { readonly kind: "tooManySteps" }
  /** The initial response or a later one was not base64. */
  | { readonly kind: "invalidBase64"; readonly isInitial: boolean }
  /** The client sent "*" (RFC 4422 §3.5). */
  | { readonly kind: "cancelled" }
  | { readonly kind: "stopped"; readonly stop: Stop };

/** The client's answer to a challenge. */
export type SaslResponse =
  /** A response line or string, still in base64. */
  | { readonly kind: "response"; readonly text: string }
  /** The client cancelled ("*", framed as the protocol frames it). */
  | { readonly kind: "cancel" };

/** What a protocol's reader got while an exchange waits: the answer, or something that ends the exchange
 * (a closed connection, an answer of the wrong shape). */
export type SaslAnswer<Stop> = SaslResponse | { readonly kind: "stop"; readonly stop: Stop };

/** Sends one challenge to the client as the protocol frames it and reads the client's answer. */
export type SaslChallenger<Stop> = (challenge: Buffer) => Promise<SaslAnswer<Stop>>;

/** The next thing to tell the client: a challenge, or the outcome (see SaslDialog). */
export type SaslTurn = { readonly kind: "challenge"; readonly data: Buffer } | SaslOutcome;

/**
 * One exchange driven by the protocol's own read loop: start() with the initial response, then respond()
 * with each answer to a challenge, until a turn is not a challenge. Rejects only on internal errors.
 */
export class SaslDialog {
  #steps = 0;

  constructor(private readonly exchange: SaslExchange) {}

  start(initialResponse: string | null): Promise<SaslTurn> {
    if (initialResponse === null) return this.#step(null);
    return this.#decodeAndStep(initialResponse, true);
  }

  respond(answer: SaslResponse): Promise<SaslTurn> {
    if (answer.kind === "cancel") return Promise.resolve({ kind: "cancelled" });
    return this.#decodeAndStep(answer.text, false);
  }

  #decodeAndStep(text: string, isInitial: boolean): Promise<SaslTurn> {
    const response = decodeSaslBase64(text);
    if (response === null) return Promise.resolve({ kind: "invalidBase64", isInitial });
    return this.#step(response);
  }

  async #step(response: Buffer | null): Promise<SaslTurn> {
    if (++this.#steps > MAX_SASL_STEPS) return { kind: "tooManySteps" };
    try {
      return await this.exchange.step(response);
    } catch (error) {
      if (isMailError(error) && error.code === "authFailed") return { kind: "failed", error };
      throw error;
    }
  }
}

/**
 * Runs a whole exchange for protocols that read the client's answers in line (IMAP, POP3, ManageSieve):
 * puts each challenge to the client through `challenge` and resolves to how the exchange ended.
 */
export async function runSaslDialog<Stop>(
  exchange: SaslExchange,
  initialResponse: string | null,
  challenge: SaslChallenger<Stop>,
): Promise<SaslOutcome<Stop>> {
  const dialog = new SaslDialog(exchange);
  let turn = await dialog.start(initialResponse);
  while (turn.kind === "challenge") {
    const answer = await challenge(turn.data);
    if (answer.kind === "stop") return { kind: "stopped", stop: answer.stop };
    turn = await dialog.respond(answer);
  }
  return turn;
}
