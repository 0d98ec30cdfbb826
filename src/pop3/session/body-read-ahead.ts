// Bodies of pipelined RETRs, read together: when a RETR finds that the client already sent more RETRs
// (RFC 2449 §6.6 PIPELINING; every bulk download does), the bodies of the next ones are read with its own
// in one store call (BlobStore.readRangesNow: one SQLite read transaction instead of one per body) and
// kept for their RETRs. Bounded by count and bytes; only small bodies, which the store reads at once, are
// read ahead. Each RETR still checks its message as before sending it; a body is immutable (its blob is
// named by its hash), so reading it early changes nothing the client sees. Where the store can (SQLite
// with the native copier), a batch is copied into one of the session's reused buffers
// (kit/reused-buffers.ts), which the session gives back once their bytes have gone out (releaseBuffers).
import type { HeldBuffers } from "../../kit/reused-buffers.js";
import type { WholeBlob } from "../../store/mail-store.js";
import { parseRetrLine } from "../wire/pop3-command.js";
import type { MessageContent } from "./maildrop.js";
import type { SessionContext } from "./session-context.js";

/** Messages read in one go: the current RETR's and those of up to this many minus one pipelined after it. */
const READ_AHEAD_MESSAGES = 32;
/** Bytes read in one go at most (into a reused buffer: its size): memory held for bodies not yet sent. */
const READ_AHEAD_BYTES = 1024 * 1024;
/** Larger bodies are read alone (and streamed when the store cannot read them at once). */
const READ_AHEAD_MAX_BODY_BYTES = 256 * 1024;

export class BodyReadAhead {
  readonly #bodies = new Map<number, Buffer>();
  /** False once a small body could not be read at once (a store that streams every body: PostgreSQL). */
  #canReadNow = true;
  /** The session's reused buffers: undefined until the first read asks the store for them. */
  #buffers: HeldBuffers | null | undefined;
  /** The buffer the kept bodies are views of (null when they were allocated, or none are kept). */
  #keptIn: Buffer | null = null;

  /** Whether bodies may be read at once here; false tells sendMessageNow not to try (it would stream). */
  get canReadNow(): boolean {
    return this.#canReadNow;
  }

  /**
   * The body of message `messageNumber` (the whole blob), with the bodies of the RETRs pipelined after
   * it read in the same store call; null when the store cannot read it at once (stream it instead).
   * Throws as MessageService.readRangeNow when it is gone, so the RETR is answered -ERR.
   */
  readNow(ctx: SessionContext, messageNumber: number, content: MessageContent): Buffer | null {
    const kept = this.#bodies.get(messageNumber);
    if (kept !== undefined) {
      this.#bodies.delete(messageNumber);
      return kept;
    }
    // Whatever is left was read for RETRs that did not come as expected (a DELE or QUIT in between).
    this.#bodies.clear();
    this.#keptIn = null;
    const { messages } = ctx.deps.services;
    if (content.size > READ_AHEAD_MAX_BODY_BYTES || !this.#canReadNow)
      return messages.readRangeNow(content.blobHash, 0, content.size);
    this.#buffers ??= messages.heldBodyBuffers();
    const target = this.#buffers?.take() ?? null;
    const maxBytes = target === null ? READ_AHEAD_BYTES : target.byteLength;
    const numbers = [messageNumber];
    const wanted: WholeBlob[] = [{ hash: content.blobHash, size: content.size }];
    let bytes = content.size;
    const { maildrop } = ctx.transaction;
    for (const line of ctx.pipelinedLines(READ_AHEAD_MESSAGES - 1)) {
      const number = parseRetrLine(line);
      if (number === null) break;
      const next = maildrop.lookup(number).kind === "found" ? maildrop.contentOf(number) : undefined;
      if (next === undefined || numbers.includes(number)) continue;
      if (next.size > READ_AHEAD_MAX_BODY_BYTES || bytes + next.size > maxBytes) break;
      numbers.push(number);
      wanted.push({ hash: next.blobHash, size: next.size });
      bytes += next.size;
    }
    const bodies =
      target !== null
        ? messages.readWholeInto(wanted, target)
        : numbers.length === 1
          ? []
          : messages.readRangesNow(wanted.map(({ hash, size }) => ({ hash, start: 0, end: size })));
    for (let i = 1; i < numbers.length; i++) {
      const body = bodies[i];
      if (body) this.#bodies.set(numbers[i] as number, body);
    }
    if (target !== null && this.#bodies.size > 0) this.#keptIn = target;
    // Not read (gone, or not readable at once): read alone, which throws or returns null as it should.
    const body = bodies[0] ?? messages.readRangeNow(content.blobHash, 0, content.size);
    // Looking ahead is no use where small bodies are streamed anyway.
    if (body === null) this.#canReadNow = false;
    return body;
  }

  /**
   * Gives the session's reused buffers back but the one kept bodies are in. The session calls it only
   * where none of their bytes can still be read: between commands, with no output queued or unsent.
   */
  releaseBuffers(): void {
    this.#buffers?.releaseExcept(this.#bodies.size > 0 ? this.#keptIn : null);
  }
}
