// What a command handler works with: the state, buffered replies, raw streaming for RETR/TOP, SASL
// continuation lines, the STLS input discard, and the per-connection counters that limit abuse.
import type { Logger } from "../../kit/logger.js";
import type { Connection } from "../../net/connection.js";
import { formatReply, type Pop3Reply } from "../wire/pop3-reply.js";
import { BodyReadAhead } from "./body-read-ahead.js";
import type { LineSource } from "./line-source.js";
import type { Pop3Deps } from "./pop3-settings.js";
import type { ReplyOutput } from "./reply-output.js";
import { SeenWriter } from "./seen-writer.js";
import { initialState, type SessionState, type TransactionState } from "./session-state.js";

export class SessionContext {
  state: SessionState = initialState();
  log: Logger;
  /** RFC 6856 UTF8 was issued. We never downgrade messages, so it only records the client's wish. */
  isUtf8 = false;
  authFailures = 0;
  badCommands = 0;
  /** Set while a multi-line body is being streamed: an error then cannot be answered, only hung up on. */
  isStreaming = false;
  /** Bodies of pipelined RETRs read ahead together (send-message.ts). */
  readonly readAhead = new BodyReadAhead();
  /** The \Seen flags RETR earned, written in batches (seen-writer.ts). */
  readonly seen = new SeenWriter();

  constructor(
    readonly conn: Connection,
    readonly deps: Pop3Deps,
    private readonly input: LineSource,
    private readonly output: ReplyOutput,
    /** The APOP timestamp of the greeting (RFC 1939 §7), or null when APOP is not offered. */
    readonly apopTimestamp: string | null,
  ) {
    this.log = conn.log;
  }

  reply(reply: Pop3Reply): Promise<void> {
    return this.output.send(formatReply(reply));
  }

  /** Raw bytes of a multi-line body, already stuffed. */
  send(bytes: Buffer): Promise<void> {
    return this.output.send(bytes);
  }

  /** Queues wire bytes without writing (ReplyOutput.queue); true when the caller should flush. */
  queue(bytes: Buffer | string): boolean {
    return this.output.queue(bytes);
  }

  flush(): Promise<void> {
    return this.output.flush();
  }

  /**
   * Gives the read-ahead's reused buffers back where none of their bytes can still be read: the
   * session calls it between commands; nothing may be queued or unsent (BodyReadAhead.releaseBuffers).
   */
  releaseBodyBuffers(): void {
    if (this.output.isEmpty && this.conn.isAllSent) this.readAhead.releaseBuffers();
  }

  /** Sends what is queued and reads the client's next line (a SASL response); null at end of input. */
  async readContinuation(): Promise<
    { readonly kind: "line"; readonly text: string } | { readonly kind: "tooLong" } | null
  > {
    await this.output.flushBeforeWait();
    const event = await this.input.next();
    if (event === null || event.kind === "tooLong") return event;
    return { kind: "line", text: event.bytes.toString("utf8") };
  }

  /** Up to `max` command lines the client pipelined after the current one (not consumed). */
  pipelinedLines(max: number): Buffer[] {
    return this.input.pipelinedLines(max);
  }

  /** STLS: drop every byte the client sent after the command (RFC 2595 §3.1; net/connection.ts contract). */
  discardInput(): void {
    this.input.discard();
  }

  /** The TRANSACTION state; the dispatcher has already checked it, so anything else is a bug. */
  get transaction(): TransactionState {
    if (this.state.kind !== "transaction") throw new Error(`expected TRANSACTION, in ${this.state.kind}`);
    return this.state;
  }
}
