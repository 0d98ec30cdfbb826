// RFC 1939 §5 LIST: the scan listing "n octets" of one message or of every message not marked deleted.
// Octets are exactly what RETR sends before dot-stuffing (bare LF counted as CRLF).
import { multiline, ok } from "../wire/pop3-reply.js";
import { type CommandHandler, TRANSACTION } from "./command-handler.js";
import { findMessage } from "./find-message.js";

export const list: CommandHandler<"LIST"> = {
  states: TRANSACTION,
  async run(ctx, command) {
    const { maildrop } = ctx.transaction;
    if (command.message !== null) {
      const entry = await findMessage(ctx, command.message);
      if (entry !== null) await ctx.reply(ok(`${command.message} ${maildrop.octetsOf(command.message)}`));
      return "continue";
    }
    const { count, octets } = maildrop.stat();
    const lines = [...maildrop.visible()].map(({ number }) => `${number} ${maildrop.octetsOf(number)}`);
    await ctx.reply(multiline(`${count} messages (${octets} octets)`, lines));
    return "continue";
  },
};
