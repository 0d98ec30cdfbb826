// RFC 1939 §7 UIDL: the unique-id listing, stable across sessions (see Maildrop.uidl for the format).
import { multiline, ok } from "../wire/pop3-reply.js";
import { type CommandHandler, TRANSACTION } from "./command-handler.js";
import { findMessage } from "./find-message.js";

export const uidl: CommandHandler<"UIDL"> = {
  states: TRANSACTION,
  async run(ctx, command) {
    const { maildrop } = ctx.transaction;
    if (command.message !== null) {
      const entry = await findMessage(ctx, command.message);
      if (entry !== null) await ctx.reply(ok(`${command.message} ${maildrop.uidl(entry)}`));
      return "continue";
    }
    const lines = [...maildrop.visible()].map(({ number, entry }) => `${number} ${maildrop.uidl(entry)}`);
    await ctx.reply(multiline("Unique-id listing follows", lines));
    return "continue";
  },
};
