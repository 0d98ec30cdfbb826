// One POP3 connection from greeting to goodbye (RFC 1939 §3-6): reads command lines, enforces line-length
// (RFC 2449 §4: 255 octets) and abuse limits, gates each command on its states, maps errors in one place,
// and on every exit path writes pending \Seen flags and releases the maildrop lock.
import { randomBytes } from "node:crypto";
import type { Connection } from "../net/connection.js";
import type { CommandHandler } from "./commands/command-handler.js";
import { COMMANDS } from "./commands/command-table.js";
import { replyForError } from "./session/error-mapping.js";
import { LineSource } from "./session/line-source.js";
import type { Pop3Deps } from "./session/pop3-settings.js";
import { ReplyOutput } from "./session/reply-output.js";
import { sendMessageNow } from "./session/send-message.js";
import { SessionContext } from "./session/session-context.js";
import type { Outcome } from "./session/session-state.js";
import { LineReader } from "./wire/line-reader.js";
import { type ParsedLine, type Pop3Command, parsePop3Command, parseRetrLine } from "./wire/pop3-command.js";
import { err, ok } from "./wire/pop3-reply.js";

/** RFC 2449 §4: a command line is at most 255 octets including its CRLF. */
export const MAX_COMMAND_LINE_OCTETS = 255;

export async function runPop3Session(conn: Connection, deps: Pop3Deps): Promise<void> {
  const output = new ReplyOutput(conn);
  let ctx: SessionContext | undefined;
  const input = new LineSource(conn, new LineReader(deps.settings.maxLineBytes), async () => {
    await output.flushBeforeWait();
    ctx?.releaseBodyBuffers();
    if (ctx) await ctx.seen.beforeWait(ctx);
  });
  const timestamp = deps.apop === null ? null : `<${process.pid}.${randomBytes(8).toString("hex")}@postfach>`;
  const session = new SessionContext(conn, deps, input, output, timestamp);
  ctx = session;
  let goodbye: string | null = null;
  let isLoggedIn = false;
  const sayGoodbye = (text: string) => async (): Promise<void> => {
    goodbye = text;
    // Only between commands: a reply in the middle of a RETR body would corrupt it.
    if (input.isWaiting) await conn.write(`-ERR ${text}\r\n`);
  };
  conn.onIdleTimeout(sayGoodbye("Disconnected for inactivity"));
  conn.onShutdown(sayGoodbye("[SYS/TEMP] Server shutting down"));
  conn.onKick(sayGoodbye("Disconnected by the administrator"));

  try {
    await session.reply(ok(timestamp === null ? "Postfach ready." : `Postfach ready. ${timestamp}`));
    for (;;) {
      // Pipelined lines are taken without an await; only an empty buffer waits for the network.
      const event = input.nextBuffered() ?? (await input.next());
      if (event === null) break;
      if (event.kind === "tooLong") {
        session.log.warn({ maxLineBytes: deps.settings.maxLineBytes }, "POP3 line too long, closing");
        await session.reply(err("Line too long, closing"));
        break;
      }
      const retrNumber = session.state.kind === "transaction" ? parseRetrLine(event.bytes) : null;
      if (retrNumber !== null && sendMessageNow(session, retrNumber)) {
        // A whole RETR was queued without an await; the output is written once it holds enough.
        if (output.isFull) {
          if (!(await flushOrClosed(session))) break;
          session.releaseBodyBuffers();
        }
        if (goodbye !== null && !input.isWaiting) {
          await session.reply(err(goodbye));
          break;
        }
        continue;
      }
      const outcome = await handleLine(session, event.bytes);
      if (outcome === "close") break;
      // Logged in: the short pre-login idle timeout gives way to the longer one (RFC 1939 §3: ≥ 10 min).
      if (!isLoggedIn && session.state.kind === "transaction") {
        isLoggedIn = true;
        conn.useAuthenticatedIdleTimeout();
      }
      if (goodbye !== null && !input.isWaiting) {
        await session.reply(err(goodbye));
        break;
      }
    }
    await output.flush();
  } finally {
    await endSession(session);
  }
}

async function handleLine(ctx: SessionContext, line: Buffer): Promise<Outcome> {
  const parsed = line.length + 2 > MAX_COMMAND_LINE_OCTETS ? null : parsePop3Command(line.toString("utf8"));
  if (!sendsMessage(ctx, parsed)) await ctx.conn.paceCommand();
  if (parsed === null) return badCommand(ctx, "Command line too long");
  if (parsed.kind === "unknown") return badCommand(ctx, "Unknown command");
  if (parsed.kind === "syntaxError") return badCommand(ctx, parsed.text);
  const command = parsed.command;
  const handler = COMMANDS[command.name] as CommandHandler<Pop3Command["name"]>;
  if (!handler.states.includes(ctx.state.kind)) {
    return badCommand(ctx, `${command.name} is not allowed in the ${ctx.state.kind.toUpperCase()} state`);
  }
  try {
    return await handler.run(ctx, command as never);
  } catch (error) {
    if (ctx.conn.isClosed) return "close";
    if (ctx.isStreaming) {
      // Part of a body is out; no reply can follow it, so the only honest thing left is to hang up.
      ctx.log.error({ err: error, command: command.name }, "POP3 failed while sending a message; closing");
      return "close";
    }
    await ctx.reply(replyForError(error, ctx.log));
    return "continue";
  }
}

/** Writes the queued output; false when the connection is gone (the session then ends as at EOF). */
async function flushOrClosed(ctx: SessionContext): Promise<boolean> {
  try {
    await ctx.flush();
    return true;
  } catch (error) {
    if (ctx.conn.isClosed) return false;
    throw error;
  }
}

/**
 * Whether the line is a RETR or TOP of a message of the maildrop. Those are not paced by the command
 * budget ([limits] max_commands_per_second): POP3 has no command for a range of messages, so a client
 * downloading 10,000 messages must send 10,000 RETRs (an IMAP client sends one FETCH), and each is
 * paced by the client reading its body instead (the session writes no faster than the socket drains).
 * Every other command, failing RETRs included, takes its token, so a flood of cheap commands still waits.
 */
function sendsMessage(ctx: SessionContext, parsed: ParsedLine | null): boolean {
  if (parsed?.kind !== "command" || ctx.state.kind !== "transaction") return false;
  const { command } = parsed;
  if (command.name !== "RETR" && command.name !== "TOP") return false;
  return ctx.state.maildrop.lookup(command.message).kind === "found";
}

async function badCommand(ctx: SessionContext, text: string): Promise<Outcome> {
  ctx.badCommands++;
  if (ctx.badCommands >= ctx.deps.settings.maxBadCommands) {
    await ctx.reply(err(`${text}; too many bad commands, closing`));
    return "close";
  }
  await ctx.reply(err(text));
  return "continue";
}

/** Whatever ended the session (QUIT, EOF, idle, shutdown, error): nothing is expunged, the lock goes. */
async function endSession(ctx: SessionContext): Promise<void> {
  if (ctx.state.kind !== "transaction") return;
  const { lock } = ctx.state;
  try {
    await flushSeenSafely(ctx);
  } finally {
    lock.release();
    ctx.state = { kind: "update" };
    ctx.log.info({}, "POP3 session ended without QUIT; nothing deleted");
  }
}

async function flushSeenSafely(ctx: SessionContext): Promise<void> {
  if (ctx.state.kind !== "transaction") return;
  try {
    await ctx.seen.write(ctx, ctx.state.account.id, ctx.state.maildrop);
  } catch (error) {
    ctx.log.warn({ err: error }, "could not set \\Seen on retrieved messages");
  }
}
