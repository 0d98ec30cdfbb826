// RFC 5804 §2.2 STARTTLS: before authentication, on a plain listener. Follows the net STARTTLS contract:
// bytes pipelined after the command are dropped unread (CVE-2011-0411), "OK" is written and the handshake
// starts at once; afterwards the server sends its capabilities again, as §2.2 requires.
import { no, ok } from "../wire/managesieve-response.js";
import { capabilityLines } from "./capability.js";
import { type CommandHandler, NOT_AUTHENTICATED } from "./command-handler.js";

export const starttls: CommandHandler = {
  states: NOT_AUTHENTICATED,
  async run(ctx) {
    if (ctx.conn.isTls || !ctx.deps.offerStartTls) {
      await ctx.reply(no("TLS is already active or not offered here"));
      return "continue";
    }
    ctx.reader.discard();
    await ctx.reply(ok("Begin TLS negotiation now"));
    await ctx.conn.startTls();
    ctx.write(capabilityLines(ctx));
    await ctx.reply(ok("TLS negotiation successful"));
    return "continue";
  },
};
