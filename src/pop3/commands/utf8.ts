// RFC 6856 §2 UTF8: the client accepts UTF-8 in replies and messages. We store and send messages
// unchanged, and accept UTF-8 user names and passwords in any case ("UTF8 USER").
import { ok } from "../wire/pop3-reply.js";
import { AUTHORIZATION, type CommandHandler } from "./command-handler.js";

export const utf8: CommandHandler<"UTF8"> = {
  states: AUTHORIZATION,
  async run(ctx) {
    ctx.isUtf8 = true;
    await ctx.reply(ok("UTF8 enabled"));
    return "continue";
  },
};
