// RFC 1939 §5 STAT: "+OK count octets" for the messages not marked deleted.
import { ok } from "../wire/pop3-reply.js";
import { type CommandHandler, TRANSACTION } from "./command-handler.js";

export const stat: CommandHandler<"STAT"> = {
  states: TRANSACTION,
  async run(ctx) {
    const { count, octets } = ctx.transaction.maildrop.stat();
    await ctx.reply(ok(`${count} ${octets}`));
    return "continue";
  },
};
