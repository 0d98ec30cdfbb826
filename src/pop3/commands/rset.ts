// RFC 1939 §5 RSET: unmarks every message marked deleted in this session.
import { ok } from "../wire/pop3-reply.js";
import { type CommandHandler, TRANSACTION } from "./command-handler.js";

export const rset: CommandHandler<"RSET"> = {
  states: TRANSACTION,
  async run(ctx) {
    const { maildrop } = ctx.transaction;
    maildrop.resetDeletions();
    const { count, octets } = maildrop.stat();
    await ctx.reply(ok(`Maildrop has ${count} messages (${octets} octets)`));
    return "continue";
  },
};
