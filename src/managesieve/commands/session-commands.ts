// RFC 5804 §2.3 LOGOUT, §2.14 UNAUTHENTICATE and §2.15 NOOP: commands that manage the session itself.
import { textArg } from "../session/session-context.js";
import { no, ok } from "../wire/managesieve-response.js";
import { ANY_STATE, AUTHENTICATED, type CommandHandler } from "./command-handler.js";

export const logout: CommandHandler = {
  states: ANY_STATE,
  async run(ctx) {
    await ctx.reply(ok("Logout completed"));
    return "close";
  },
};

export const unauthenticate: CommandHandler = {
  states: AUTHENTICATED,
  async run(ctx) {
    if (ctx.state.kind === "authenticated") ctx.state.lease.release();
    ctx.state = { kind: "notAuthenticated" };
    ctx.log = ctx.conn.log;
    await ctx.reply(ok("Unauthenticate completed"));
    return "continue";
  },
};

export const noop: CommandHandler = {
  states: ANY_STATE,
  async run(ctx, args) {
    if (args.length === 0) {
      await ctx.reply(ok("Done"));
      return "continue";
    }
    const tag = textArg(args[0]);
    if (tag === null || args.length > 1) {
      await ctx.reply(no('Syntax: NOOP ["tag"]'));
      return "continue";
    }
    await ctx.reply(ok("Done", "TAG", tag));
    return "continue";
  },
};
