// RFC 5034 AUTH: the shared SASL exchanges of auth/ (SCRAM-SHA-256[-PLUS], PLAIN, LOGIN, OAUTHBEARER) with
// an optional initial response ("=" is an empty one), "+ base64" challenges, "*" to cancel. `AUTH` alone
// lists the mechanisms, as RFC 1734 clients expect.

import { runSaslDialog } from "../../auth/sasl/sasl-dialog.js";
import { failLogin, logIn } from "../session/log-in.js";
import { saslTransport } from "../session/sasl-transport.js";
import { err, multiline } from "../wire/pop3-reply.js";
import { AUTHORIZATION, type CommandHandler } from "./command-handler.js";

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
    const outcome = await runSaslDialog<"close">(exchange, command.initialResponse, async (challenge) => {
      await ctx.reply({ kind: "challenge", data: challenge });
      const line = await ctx.readContinuation();
      if (line === null || line.kind === "tooLong") return { kind: "stop", stop: "close" };
      return line.text.trim() === "*" ? { kind: "cancel" } : { kind: "response", text: line.text };
    });
    switch (outcome.kind) {
      case "success": {
        const account = outcome.account;
        return logIn(ctx, async () => account);
      }
      case "failed":
      case "malformed":
      case "tooManySteps":
        return failLogin(ctx);
      case "invalidBase64":
        await ctx.reply(
          err(outcome.isInitial ? "Invalid base64 in initial response" : "Invalid base64 in SASL response"),
        );
        return "continue";
      case "cancelled":
        await ctx.reply(err("Authentication cancelled"));
        return "continue";
      case "stopped":
        return outcome.stop;
    }
  },
};
