// RFC 1939 §5 NOOP.
import { ok } from "../wire/pop3-reply.js";
import { type CommandHandler, TRANSACTION } from "./command-handler.js";

export const noop: CommandHandler<"NOOP"> = {
  states: TRANSACTION,
  async run(ctx) {
    await ctx.reply(ok(""));
    return "continue";
  },
};
