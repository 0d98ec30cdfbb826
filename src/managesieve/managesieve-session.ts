// One ManageSieve connection (RFC 5804) from greeting to LOGOUT: the capability greeting (§1.7), then
// commands read by the resumable wire reader, gated on the session state, errors mapped in one place.
// Bad input gets NO and the session goes on; a line past the limit, or too many bad commands, get BYE.
import type { Connection } from "../net/connection.js";
import { capabilityLines } from "./commands/capability.js";
import { handlerFor } from "./commands/command-table.js";
import { responseForError } from "./session/error-mapping.js";
import { type ManageSieveDeps, type Outcome, SessionContext } from "./session/session-context.js";
import { type ManageSieveArg, ManageSieveReader } from "./wire/managesieve-reader.js";
import { bye, no, ok } from "./wire/managesieve-response.js";

/** Bad commands in a row before the server gives up on the client. */
const MAX_BAD_COMMANDS = 20;

export async function runManageSieveSession(conn: Connection, deps: ManageSieveDeps): Promise<void> {
  const reader = new ManageSieveReader({
    maxLineBytes: deps.settings.maxLineBytes,
    // A script literal (PUTSCRIPT, CHECKSCRIPT) may be as large as a script; anything larger is refused unread.
    maxLiteralBytes: deps.services.scripts.limits.maxScriptBytes,
  });
  const chunks = conn.chunks();
  const readMore = async (): Promise<boolean> => {
    const result = await chunks.next();
    if (result.done === true) return false;
    reader.feed(result.value);
    return true;
  };
  const ctx = new SessionContext(conn, deps, reader, readMore);
  // Responses go out whole (SessionContext.flush), so a BYE from these hooks never splits one.
  let isEnding = false;
  const sayBye = (line: string) => async (): Promise<void> => {
    isEnding = true;
    await conn.write(line).catch(() => {});
  };
  conn.onIdleTimeout(sayBye('BYE "Disconnected for inactivity"\r\n'));
  conn.onShutdown(sayBye('BYE (TRYLATER) "Server shutting down"\r\n'));
  let badCommands = 0;
  try {
    ctx.write(capabilityLines(ctx));
    await ctx.reply(ok("Postfach ManageSieve ready"));
    while (!isEnding) {
      const event = reader.next();
      if (event.kind === "needMore") {
        await ctx.flush();
        if (!(await readMore())) break;
        continue;
      }
      if (event.kind === "tooLong") {
        await ctx.reply(bye("Line too long"));
        break;
      }
      await conn.paceCommand();
      let outcome: Outcome;
      if (event.kind === "command") {
        outcome = await runCommand(ctx, event.name, event.args);
      } else if (event.kind === "literalTooBig") {
        await ctx.reply(no(`Literal of ${event.size} bytes is larger than a script may be`, "QUOTA/MAXSIZE"));
        outcome = "continue";
      } else {
        badCommands++;
        await ctx.reply(event.kind === "syntaxError" ? no(event.message) : no("Unexpected response"));
        outcome = badCommands >= MAX_BAD_COMMANDS ? "close" : "continue";
      }
      if (outcome === "close") break;
    }
    await ctx.flush();
  } catch (error) {
    if (!conn.isClosed) ctx.log.warn({ err: error }, "ManageSieve session ended by an error");
  } finally {
    if (ctx.state.kind === "authenticated") ctx.state.lease.release();
  }
}

async function runCommand(
  ctx: SessionContext,
  name: string,
  args: readonly ManageSieveArg[],
): Promise<Outcome> {
  const handler = handlerFor(name);
  if (handler === undefined) {
    await ctx.reply(no(`Unknown command ${name}`));
    return "continue";
  }
  if (!handler.states.includes(ctx.state.kind)) {
    const text = ctx.state.kind === "authenticated" ? "Already authenticated" : "Authenticate first";
    await ctx.reply(no(`${name}: ${text}`));
    return "continue";
  }
  try {
    return await handler.run(ctx, args);
  } catch (error) {
    if (ctx.conn.isClosed) return "close";
    await ctx.reply(responseForError(error, ctx.log));
    return "continue";
  }
}
