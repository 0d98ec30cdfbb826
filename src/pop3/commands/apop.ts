// RFC 1939 §7 APOP: a digest of the greeting's timestamp and the plaintext password. Passwords are stored
// only as scrypt hashes, so APOP works only with an ApopVerifier that can recover them; otherwise refused.
import { logIn } from "../session/log-in.js";
import { err } from "../wire/pop3-reply.js";
import { AUTHORIZATION, type CommandHandler } from "./command-handler.js";

export const apop: CommandHandler<"APOP"> = {
  states: AUTHORIZATION,
  async run(ctx, command) {
    const verifier = ctx.deps.apop;
    const timestamp = ctx.apopTimestamp;
    if (verifier === null || timestamp === null) {
      await ctx.reply(err("APOP is not available; use USER/PASS or AUTH"));
      return "continue";
    }
    return logIn(ctx, () => verifier.verify(command.username, timestamp, command.digest));
  },
};
