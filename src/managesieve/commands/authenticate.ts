// RFC 5804 §2.1 AUTHENTICATE: the shared SASL exchanges of auth/ (SCRAM-SHA-256[-PLUS], PLAIN, LOGIN,
// OAUTHBEARER) with an optional initial response; challenges and responses are base64 in strings, "*"
// cancels. Failures are counted by auth/'s login limiter like IMAP's; too many in one session end it.
import { runSaslDialog } from "../../auth/sasl/sasl-dialog.js";
import { parseMechanismName } from "../../auth/sasl/sasl-mechanism.js";
import type { AccountRecord } from "../../store/mail-store.js";
import type { Outcome, SessionContext } from "../session/session-context.js";
import { textArg } from "../session/session-context.js";
import { bye, formatString, no, ok } from "../wire/managesieve-response.js";
import { type CommandHandler, NOT_AUTHENTICATED } from "./command-handler.js";

/** Why an exchange ends early: the connection is gone, or the answer to a challenge was not a string. */
type Stop = "close" | "notResponse" | "notString";

export const authenticate: CommandHandler = {
  states: NOT_AUTHENTICATED,
  async run(ctx, args) {
    const mechanism = textArg(args[0]);
    const initial = args[1] === undefined ? null : textArg(args[1]);
    if (mechanism === null || (args[1] !== undefined && initial === null) || args.length > 2) {
      await ctx.reply(no('Syntax: AUTHENTICATE "mechanism" ["initial response"]'));
      return "continue";
    }
    const exchange = ctx.deps.services.authenticator.startSasl(mechanism, ctx.saslTransport());
    if (exchange === null) {
      // A known mechanism refused only for want of TLS gets ENCRYPT-NEEDED (RFC 5804 §1.3).
      const isKnown = parseMechanismName(mechanism) !== null;
      await ctx.reply(
        no(
          "Unsupported or not allowed SASL mechanism",
          isKnown && !ctx.conn.isTls ? "ENCRYPT-NEEDED" : undefined,
        ),
      );
      return "continue";
    }
    const outcome = await runSaslDialog<Stop>(exchange, initial, async (challenge) => {
      ctx.write(`${formatString(challenge.toString("base64"))}\r\n`);
      await ctx.flush();
      const answer = await ctx.readResponse();
      if (answer === null || answer.kind === "tooLong") return { kind: "stop", stop: "close" };
      if (answer.kind !== "response") return { kind: "stop", stop: "notResponse" };
      const text = textArg(answer.args[0]);
      if (text === null) return { kind: "stop", stop: "notString" };
      return text === "*" ? { kind: "cancel" } : { kind: "response", text };
    });
    switch (outcome.kind) {
      case "success":
        return logIn(ctx, outcome.account);
      case "failed":
      case "malformed":
      case "tooManySteps":
        return failLogin(ctx);
      case "invalidBase64":
        await ctx.reply(
          no(
            outcome.isInitial
              ? "Invalid base64 in the initial response"
              : "Invalid base64 in the SASL response",
          ),
        );
        return "continue";
      case "cancelled":
        await ctx.reply(no("Authentication cancelled"));
        return "continue";
      case "stopped":
        if (outcome.stop === "close") return "close";
        await ctx.reply(
          no(outcome.stop === "notResponse" ? "Bad SASL response" : "Invalid base64 in the SASL response"),
        );
        return "continue";
    }
  },
};

async function logIn(ctx: SessionContext, account: AccountRecord): Promise<Outcome> {
  const lease = ctx.deps.services.sessions.tryAcquire(account.id, ctx.conn.signal, () => ctx.conn.kick());
  if (lease === null) {
    await ctx.reply(no("Too many sessions for this account", "TRYLATER"));
    return "continue";
  }
  ctx.state = { kind: "authenticated", account, lease };
  ctx.log = ctx.conn.log.child({ account: account.address });
  ctx.conn.useAuthenticatedIdleTimeout();
  ctx.log.info({}, "ManageSieve login");
  await ctx.reply(ok("Authenticated"));
  return "continue";
}

async function failLogin(ctx: SessionContext): Promise<Outcome> {
  ctx.authFailures++;
  ctx.log.info({ failures: ctx.authFailures }, "ManageSieve authentication failed");
  if (ctx.authFailures >= ctx.deps.settings.maxAuthFailures) {
    await ctx.reply(bye("Too many authentication failures"));
    return "close";
  }
  await ctx.reply(no("Authentication failed"));
  return "continue";
}
