// RFC 1939 §7 PASS: completes USER/PASS; success locks the maildrop and enters TRANSACTION.
import { logIn } from "../session/log-in.js";
import { saslTransport } from "../session/sasl-transport.js";
import { err } from "../wire/pop3-reply.js";
import { AUTHORIZATION, type CommandHandler } from "./command-handler.js";

export const pass: CommandHandler<"PASS"> = {
  states: AUTHORIZATION,
  async run(ctx, command) {
    const state = ctx.state;
    if (state.kind !== "authorization" || state.username === null) {
      await ctx.reply(err("Send USER first"));
      return "continue";
    }
    const username = state.username;
    const { remoteAddress } = saslTransport(ctx);
    return logIn(ctx, () =>
      ctx.deps.services.authenticator.authenticate(
        { username, password: command.password },
        { remoteAddress, protocol: "pop3", mechanism: "USER" },
      ),
    );
  },
};
