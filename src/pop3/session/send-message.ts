// The RETR/TOP body (RFC 1939 §5, §7): checks the message still exists (another session may have expunged
// it), then sends it through the MessageEncoder. The blob store reads a usual message at once
// (synchronously, see store/blob) and streams a large one in big chunks, each awaiting backpressure.
// sendMessageNow is RETR's path without an await, taken when all it needs is at hand.
import type { MailboxEntry } from "../../store/mail-store.js";
import { encodeWholeCrlfMessage, MessageEncoder } from "../wire/message-encoder.js";
import { err, ok } from "../wire/pop3-reply.js";
import type { SessionContext } from "./session-context.js";

/**
 * RETR of message `messageNumber` without an await, when everything it needs is at hand: the message is
 * in the maildrop and not marked deleted, no change notification asks for a look at the change log, and
 * the store reads its body at once. Then it queues "+OK", the stuffed body and the terminator, marks the
 * message for \Seen as RETR does, and returns true; the caller flushes when the output is full. Otherwise
 * it returns false having queued nothing, and the caller takes the RETR command's path, which answers
 * every other case (-ERR, a read failure, a body to stream). A bulk download is thousands of these.
 */
export function sendMessageNow(ctx: SessionContext, messageNumber: number): boolean {
  if (ctx.state.kind !== "transaction" || !ctx.readAhead.canReadNow) return false;
  const { maildrop } = ctx.state;
  const found = maildrop.lookup(messageNumber);
  if (found.kind !== "found") return false;
  const content = maildrop.contentOf(messageNumber);
  if (content === undefined || maildrop.isExpungedElsewhereNow(found.entry) !== false) return false;
  let bytes: Buffer | null;
  try {
    bytes = ctx.readAhead.readNow(ctx, messageNumber, content);
  } catch {
    // Read again by the RETR command, which then answers -ERR as it should.
    return false;
  }
  if (bytes === null) return false;
  const octets = maildrop.octetsOf(messageNumber);
  ctx.queue(`+OK ${octets} octets\r\n`);
  // Octets counted as sent equal to the stored size: no bare LF to turn into CRLF, only dots to stuff.
  if (octets === content.size) for (const piece of encodeWholeCrlfMessage(bytes)) ctx.queue(piece);
  else {
    const encoder = new MessageEncoder(null);
    ctx.queue(encoder.encode(bytes));
    ctx.queue(encoder.finish());
  }
  if (ctx.deps.settings.retrMarksSeen) maildrop.markRetrieved(found.entry);
  return true;
}

/** Sends message `messageNumber` (or its top) and returns true, or answers -ERR and returns false. */
export async function sendMessage(
  ctx: SessionContext,
  messageNumber: number,
  entry: MailboxEntry,
  bodyLineLimit: number | null,
): Promise<boolean> {
  const { maildrop } = ctx.transaction;
  const content = maildrop.contentOf(messageNumber);
  if (!content || (maildrop.isExpungedElsewhereNow(entry) ?? (await maildrop.isExpungedElsewhere(entry)))) {
    await ctx.reply(err("Message was deleted by another session"));
    return false;
  }
  // The usual message, a small blob, is read at once (with the bodies of the RETRs pipelined after it):
  // no stream, no await per chunk. A failed read throws before "+OK" and is answered with -ERR.
  const bytes = ctx.readAhead.readNow(ctx, messageNumber, content);
  if (bytes !== null) {
    const encoder = new MessageEncoder(bodyLineLimit);
    await ctx.reply(
      ok(bodyLineLimit === null ? `${maildrop.octetsOf(messageNumber)} octets` : "Top of message follows"),
    );
    ctx.isStreaming = true;
    await ctx.send(encoder.encode(bytes));
    await ctx.send(encoder.finish());
    ctx.isStreaming = false;
    return true;
  }
  const chunks = ctx.deps.services.messages
    .readRange(content.blobHash, 0, content.size)
    [Symbol.asyncIterator]();
  // The first chunk is read before "+OK": a failed read is then answered with -ERR, not a hang-up.
  let next = await chunks.next();
  await ctx.reply(
    ok(bodyLineLimit === null ? `${maildrop.octetsOf(messageNumber)} octets` : "Top of message follows"),
  );
  const encoder = new MessageEncoder(bodyLineLimit);
  ctx.isStreaming = true;
  try {
    while (next.done !== true) {
      await ctx.send(encoder.encode(next.value));
      if (encoder.isComplete) break;
      next = await chunks.next();
    }
  } finally {
    // Stopping early (TOP) or on an error closes the blob's stream.
    await chunks.return?.();
  }
  await ctx.send(encoder.finish());
  ctx.isStreaming = false;
  return true;
}
