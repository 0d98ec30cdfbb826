// RFC 1939 §4, §6 QUIT: in AUTHORIZATION just goodbye; in TRANSACTION enter UPDATE, expunge the messages
// marked deleted (IMAP sessions then see them vanish), release the lock. A failed removal gets -ERR.
import { err, ok } from "../wire/pop3-reply.js";
import { ANY_STATE, type CommandHandler } from "./command-handler.js";

export const quit: CommandHandler<"QUIT"> = {
  states: ANY_STATE,
  async run(ctx) {
    if (ctx.state.kind !== "transaction") {
      await ctx.reply(ok("Bye"));
      return "close";
    }
    const { account, maildrop, lock } = ctx.state;
    ctx.state = { kind: "update" };
    try {
      await ctx.seen.write(ctx, account.id, maildrop);
      const uids = maildrop.deletedUids();
      const removed =
        uids.length === 0
          ? []
          : await ctx.deps.services.store.messages.expunge(account.id, maildrop.mailbox.id, uids);
      ctx.log.info({ deleted: removed.length }, "POP3 update");
      await ctx.reply(ok(`Bye, ${removed.length} messages deleted`));
    } catch (error) {
      ctx.log.error({ err: error }, "POP3 update failed");
      await ctx.reply(err("Some deleted messages not removed; try again later", "SYS/TEMP"));
    } finally {
      lock.release();
    }
    return "close";
  },
};
