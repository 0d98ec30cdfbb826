// RFC 1939 §5: a message-number argument may not refer to a message marked as deleted, nor to one outside
// the maildrop; both get "-ERR". Shared by LIST, UIDL, RETR, TOP and DELE.
import type { MailboxEntry } from "../../store/mail-store.js";
import type { SessionContext } from "../session/session-context.js";
import { err } from "../wire/pop3-reply.js";

/** The entry for `messageNumber`, or null after answering -ERR. */
export async function findMessage(ctx: SessionContext, messageNumber: number): Promise<MailboxEntry | null> {
  const found = ctx.transaction.maildrop.lookup(messageNumber);
  if (found.kind === "found") return found.entry;
  await ctx.reply(
    err(found.kind === "deleted" ? `Message ${messageNumber} is marked deleted` : "No such message"),
  );
  return null;
}
