// RFC 1939 §7 TOP: the header, the blank line and the first n body lines, streamed like RETR; no \Seen.
import { sendMessage } from "../session/send-message.js";
import { type CommandHandler, TRANSACTION } from "./command-handler.js";
import { findMessage } from "./find-message.js";

export const top: CommandHandler<"TOP"> = {
  states: TRANSACTION,
  async run(ctx, command) {
    const entry = await findMessage(ctx, command.message);
    if (entry !== null) await sendMessage(ctx, command.message, entry, command.lines);
    return "continue";
  },
};
