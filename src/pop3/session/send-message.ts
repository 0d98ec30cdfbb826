// The RETR/TOP body (RFC 1939 §5, §7): checks the message still exists (another session may have expunged
// it), then sends it through the MessageEncoder: read ahead whole when small and pipelined, otherwise
// streamed from the blob store chunk by chunk, awaiting backpressure.
import type { MailboxEntry } from "../../store/mail-store.js";
import { MessageEncoder } from "../wire/message-encoder.js";
import { parsePop3Command } from "../wire/pop3-command.js";
import { err, ok } from "../wire/pop3-reply.js";
import { PREFETCH_MAX_AHEAD } from "./retr-prefetch.js";
import type { SessionContext } from "./session-context.js";

/** Sends message `messageNumber` (or its top) and returns true, or answers -ERR and returns false. */
export async function sendMessage(
  ctx: SessionContext,
  messageNumber: number,
  entry: MailboxEntry,
  bodyLineLimit: number | null,
): Promise<boolean> {
  const { store, messages } = ctx.deps.services;
  const { maildrop } = ctx.transaction;
  const prefetched = bodyLineLimit === null ? ctx.prefetch.take(messageNumber) : undefined;
  if (bodyLineLimit === null) await scheduleReadAhead(ctx);
  const [current] = await store.messages.getEntries(maildrop.mailbox.id, [entry.uid]);
  const summary = current && (await store.messages.getEmailSummaries([entry.emailId])).get(entry.emailId);
  if (!summary) {
    await ctx.reply(err("Message was deleted by another session"));
    return false;
  }
  const whole = prefetched === undefined ? null : await prefetched;
  await ctx.reply(
    ok(bodyLineLimit === null ? `${maildrop.octetsOf(messageNumber)} octets` : "Top of message follows"),
  );
  const encoder = new MessageEncoder(bodyLineLimit);
  ctx.isStreaming = true;
  if (whole !== null) {
    await ctx.send(encoder.encode(whole));
  } else {
    for await (const chunk of messages.readRange(summary.blobHash, 0, summary.size)) {
      await ctx.send(encoder.encode(chunk));
      if (encoder.isComplete) break;
    }
  }
  await ctx.send(encoder.finish());
  ctx.isStreaming = false;
  return true;
}

/** Starts reading the messages of the RETR commands the client has already pipelined. */
async function scheduleReadAhead(ctx: SessionContext): Promise<void> {
  const { maildrop } = ctx.transaction;
  const upcoming = [];
  for (const line of ctx.pipelinedLines(PREFETCH_MAX_AHEAD)) {
    const parsed = parsePop3Command(line);
    if (parsed.kind !== "command" || parsed.command.name !== "RETR") continue;
    const found = maildrop.lookup(parsed.command.message);
    if (found.kind === "found") upcoming.push({ number: parsed.command.message, entry: found.entry });
  }
  await ctx.prefetch.schedule(upcoming);
}
