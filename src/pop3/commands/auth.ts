// RFC 5034 AUTH: the shared SASL exchanges of auth/ (SCRAM-SHA-256[-PLUS], PLAIN, LOGIN, OAUTHBEARER) with
// an optional initial response ("=" is an empty one), "+ base64" challenges, "*" to cancel. `AUTH` alone
// lists the mechanisms, as RFC 1734 clients expect.

import { decodeSaslBase64 } from "../../auth/sasl/sasl-mechanism.js";
import { isMailError } from "../../kit/mail-error.js";
import { failLogin, logIn } from "../session/log-in.js";
import { saslTransport } from "../session/sasl-transport.js";
import { err, multiline } from "../wire/pop3-reply.js";
import { AUTHORIZATION, type CommandHandler } from "./command-handler.js";

/** Bounds the exchange so a client cannot stay in AUTH forever. */
const MAX_STEPS = 5;

export const auth: CommandHandler<"AUTH"> = {
  states: AUTHORIZATION,
  async run(ctx, command) {
    const { authenticator } = ctx.deps.services;
    const transport = saslTransport(ctx);
    if (command.mechanism === null) {
      await ctx.reply(multiline("Mechanisms follow", authenticator.mechanisms(transport)));
      return "continue";
    }
    const exchange = authenticator.startSasl(command.mechanism, transport);
    if (exchange === null) {
      await ctx.reply(err("Unsupported SASL mechanism"));
      return "continue";
    }
    let response: Buffer | null = null;
    if (command.initialResponse !== null) {
      response = decodeSaslBase64(command.initialResponse);
      if (response === null) {
        await ctx.reply(err("Invalid base64 in initial response"));
        return "continue";
      }
    }
    for (let step = 0; step < MAX_STEPS; step++) {
      let result: Awaited<ReturnType<typeof exchange.step>>;
      try {
        result = await exchange.step(response);
      } catch (error) {
        if (isMailError(error) && error.code === "authFailed") return failLogin(ctx);
        throw error;
      }
      if (result.kind === "success") {
        const account = result.account;
        return logIn(ctx, async () => account);
      }
      if (result.kind === "malformed") return failLogin(ctx);
      await ctx.reply({ kind: "challenge", data: result.data });
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
    return failLogin(ctx);
  },
};
