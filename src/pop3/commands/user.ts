// RFC 1939 §7 USER: names the mailbox for the following PASS. RFC 6856 §3: the name may be UTF-8.
import { saslTransport } from "../session/sasl-transport.js";
import { err, ok } from "../wire/pop3-reply.js";
import { AUTHORIZATION, type CommandHandler } from "./command-handler.js";

export const user: CommandHandler<"USER"> = {
  states: AUTHORIZATION,
  async run(ctx, command) {
    if (!saslTransport(ctx).isPlaintextAllowed) {
      // RFC 2595 §2.3: no passwords in the clear; the client should use STLS first.
      await ctx.reply(err("Plaintext authentication disallowed on non-secure connections", "AUTH"));
      return "continue";
    }
    ctx.state = { kind: "authorization", username: command.username };
    await ctx.reply(ok("Send PASS"));
    return "continue";
  },
};
