// RFC 2595 §4 STLS: upgrade to TLS in AUTHORIZATION. Follows the net STARTTLS contract: bytes pipelined
// after STLS are dropped unread (the CVE-2011-0411 injection), the "+OK" is written and TLS starts at once.
import { err, ok } from "../wire/pop3-reply.js";
import { AUTHORIZATION, type CommandHandler } from "./command-handler.js";

export const stls: CommandHandler<"STLS"> = {
  states: AUTHORIZATION,
  async run(ctx) {
    if (ctx.conn.isTls) {
      await ctx.reply(err("Already using TLS"));
      return "continue";
    }
    if (!ctx.deps.offerStartTls) {
      await ctx.reply(err("STLS is not available here"));
      return "continue";
    }
    ctx.discardInput();
    await ctx.reply(ok("Begin TLS negotiation"));
    await ctx.flush();
    await ctx.conn.startTls();
    // RFC 2595 §4: whatever was said before the handshake no longer counts.
    ctx.state = { kind: "authorization", username: null };
    ctx.isUtf8 = false;
    return "continue";
  },
};
