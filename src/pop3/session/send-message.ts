// The RETR/TOP body (RFC 1939 §5, §7): checks the message still exists (another session may have expunged
// it), then streams it from the blob store chunk by chunk through the MessageEncoder, awaiting backpressure.
import type { MailboxEntry } from "../../store/mail-store.js";
import { MessageEncoder } from "../wire/message-encoder.js";
import { err, ok } from "../wire/pop3-reply.js";
import type { SessionContext } from "./session-context.js";

/** Sends the message (or its top) and returns true, or answers -ERR and returns false. */
export async function sendMessage(
  ctx: SessionContext,
  entry: MailboxEntry,
  bodyLineLimit: number | null,
): Promise<boolean> {
  const { store, messages } = ctx.deps.services;
  const { maildrop } = ctx.transaction;
  const [current] = await store.messages.getEntries(maildrop.mailbox.id, [entry.uid]);
  const summary = current && (await store.messages.getEmailSummaries([entry.emailId])).get(entry.emailId);
  if (!summary) {
    await ctx.reply(err("Message was deleted by another session"));
    return false;
  }
  await ctx.reply(ok(bodyLineLimit === null ? `${entry.size} octets` : "Top of message follows"));
  const encoder = new MessageEncoder(bodyLineLimit);
  ctx.isStreaming = true;
  for await (const chunk of messages.readRange(summary.blobHash, 0, summary.size)) {
    await ctx.send(encoder.encode(chunk));
    if (encoder.isComplete) break;
  }
  await ctx.send(encoder.finish());
  ctx.isStreaming = false;
  return true;
}
