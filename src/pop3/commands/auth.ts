// RFC 5034 AUTH: SASL PLAIN and LOGIN with an optional initial response ("=" is an empty one), "+ base64"
// challenges, "*" to cancel. `AUTH` alone lists the mechanisms, as RFC 1734 clients expect.
import {
  decodeSaslBase64,
  isPasswordMechanism,
  PASSWORD_MECHANISMS,
  type PasswordMechanism,
  startSaslExchange,
} from "../../auth/sasl/sasl-mechanism.js";
import { failLogin, logIn } from "../session/log-in.js";
import { err, multiline } from "../wire/pop3-reply.js";
import { AUTHORIZATION, type CommandHandler } from "./command-handler.js";

export const auth: CommandHandler<"AUTH"> = {
  states: AUTHORIZATION,
  async run(ctx, command) {
    if (command.mechanism === null) {
      await ctx.reply(multiline("Mechanisms follow", PASSWORD_MECHANISMS));
      return "continue";
    }
    if (!isPasswordMechanism(command.mechanism)) {
      await ctx.reply(err("Unsupported SASL mechanism"));
      return "continue";
    }
    const exchange = startSaslExchange(command.mechanism as PasswordMechanism);
    let response: Buffer | null = null;
    if (command.initialResponse !== null) {
      response = decodeSaslBase64(command.initialResponse);
      if (response === null) {
        await ctx.reply(err("Invalid base64 in initial response"));
        return "continue";
      }
    }
    for (;;) {
      const step = exchange.step(response);
      if (step.kind === "credentials") {
        const { authenticator } = ctx.deps.services;
        return logIn(ctx, () => authenticator.authenticate(step.credentials));
      }
      if (step.kind === "malformed") return failLogin(ctx);
      await ctx.reply({ kind: "challenge", data: step.data });
      const line = await ctx.readContinuation();
      if (line === null || line.kind === "tooLong") return "close";
      if (line.text.trim() === "*") {
        await ctx.reply(err("Authentication cancelled"));
        return "continue";
      }
      response = decodeSaslBase64(line.text);
      if (response === null) {
        await ctx.reply(err("Invalid base64 in SASL response"));
        return "continue";
      }
    }
  },
};
