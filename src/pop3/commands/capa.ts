// RFC 2449 §5 CAPA: the capability list for the current state and transport.
import { listCapabilities } from "../session/capabilities.js";
import { saslTransport } from "../session/sasl-transport.js";
import { multiline } from "../wire/pop3-reply.js";
import { ANY_STATE, type CommandHandler } from "./command-handler.js";

export const capa: CommandHandler<"CAPA"> = {
  states: ANY_STATE,
  async run(ctx) {
    const transport = saslTransport(ctx);
    const lines = listCapabilities({
      state: ctx.state.kind,
      canStartTls: ctx.deps.offerStartTls && !ctx.conn.isTls,
      expireDays: ctx.deps.settings.expireDays,
      loginDelaySeconds: ctx.deps.loginDelay.delaySeconds,
      saslMechanisms: ctx.deps.services.authenticator.mechanisms(transport),
      isPlaintextAllowed: transport.isPlaintextAllowed,
    });
    await ctx.reply(multiline("Capability list follows", lines));
    return "continue";
  },
};
