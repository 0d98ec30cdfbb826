// RFC 1939 §5 DELE: marks a message deleted; it is removed only in the UPDATE state (QUIT).
import { ok } from "../wire/pop3-reply.js";
import { type CommandHandler, TRANSACTION } from "./command-handler.js";
import { findMessage } from "./find-message.js";

export const dele: CommandHandler<"DELE"> = {
  states: TRANSACTION,
  async run(ctx, command) {
    const entry = await findMessage(ctx, command.message);
    if (entry === null) return "continue";
    ctx.transaction.maildrop.markDeleted(command.message);
    await ctx.reply(ok(`Message ${command.message} deleted`));
    return "continue";
  },
};
