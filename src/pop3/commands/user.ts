// RFC 1939 §7 USER: names the mailbox for the following PASS. RFC 6856 §3: the name may be UTF-8.
import { ok } from "../wire/pop3-reply.js";
import { AUTHORIZATION, type CommandHandler } from "./command-handler.js";

export const user: CommandHandler<"USER"> = {
  states: AUTHORIZATION,
  async run(ctx, command) {
    ctx.state = { kind: "authorization", username: command.username };
    await ctx.reply(ok("Send PASS"));
    return "continue";
  },
};
