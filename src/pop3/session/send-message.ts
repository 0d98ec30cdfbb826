// The RETR/TOP body (RFC 1939 §5, §7): checks the message still exists (another session may have expunged
// it), then sends it through the MessageEncoder. The blob store reads a usual message at once
// (synchronously, see store/blob) and streams a large one in big chunks, each awaiting backpressure.
import type { MailboxEntry } from "../../store/mail-store.js";
import { MessageEncoder } from "../wire/message-encoder.js";
import { err, ok } from "../wire/pop3-reply.js";
import type { SessionContext } from "./session-context.js";

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
