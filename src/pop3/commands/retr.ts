// RFC 1939 §5 RETR: the whole message, streamed from the blob store; marks it \Seen for IMAP clients
// when configured (written in batches, see session/seen-writer.ts).
import { sendMessage } from "../session/send-message.js";
import { type CommandHandler, TRANSACTION } from "./command-handler.js";
import { findMessage } from "./find-message.js";

export const retr: CommandHandler<"RETR"> = {
  states: TRANSACTION,
  async run(ctx, command) {
    const entry = await findMessage(ctx, command.message);
    if (entry === null) return "continue";
    const isSent = await sendMessage(ctx, command.message, entry, null);
    if (isSent && ctx.deps.settings.retrMarksSeen) ctx.transaction.maildrop.markRetrieved(entry);
    return "continue";
  },
};
