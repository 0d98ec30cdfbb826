// The script commands of RFC 5804 §2.5-§2.13: HAVESPACE, PUTSCRIPT, CHECKSCRIPT, LISTSCRIPTS, SETACTIVE,
// GETSCRIPT, DELETESCRIPT, RENAMESCRIPT, each a thin translation to the mail layer's SieveScriptService;
// a refused script is answered with its errors, one line each, with line and column.
import { checkScript, formatScriptErrors, type ScriptRefusal } from "../../mail/sieve/sieve-scripts.js";
import { type SessionContext, textArg } from "../session/session-context.js";
import type { ManageSieveArg } from "../wire/managesieve-reader.js";
import { formatString, type ManageSieveResponse, no, ok } from "../wire/managesieve-response.js";
import { AUTHENTICATED, type CommandHandler } from "./command-handler.js";

/** The texts of `count` string arguments, or null (after a NO) when the arguments do not fit. */
async function texts(
  ctx: SessionContext,
  args: readonly ManageSieveArg[],
  count: number,
  usage: string,
): Promise<string[] | null> {
  const values = args.map(textArg);
  if (args.length !== count || values.some((v) => v === null)) {
    await ctx.reply(no(`Syntax: ${usage} (strings in UTF-8)`));
    return null;
  }
  return values as string[];
}

function refusal(result: ScriptRefusal): ManageSieveResponse {
  switch (result.kind) {
    case "invalidName":
      return no("Invalid script name");
    case "invalidScript":
      return no(formatScriptErrors(result.errors));
    case "tooBig":
      return no(`Script is larger than ${result.maxBytes} bytes`, "QUOTA/MAXSIZE");
    case "tooManyScripts":
      return no(`At most ${result.max} scripts per account`, "QUOTA/MAXSCRIPTS");
    case "accountFull":
      return no(`All scripts together may not pass ${result.maxBytes} bytes`, "QUOTA");
  }
}

export const havespace: CommandHandler = {
  states: AUTHENTICATED,
  async run(ctx, args) {
    const name = textArg(args[0]);
    const size = args[1];
    if (name === null || size?.kind !== "number" || args.length !== 2) {
      await ctx.reply(no('Syntax: HAVESPACE "name" size'));
      return "continue";
    }
    const result = await ctx.deps.services.scripts.haveSpace(ctx.account.id, name, size.value);
    await ctx.reply(result === null ? ok("Putscript would succeed") : refusal(result));
    return "continue";
  },
};

export const putscript: CommandHandler = {
  states: AUTHENTICATED,
  async run(ctx, args) {
    const values = await texts(ctx, args, 2, 'PUTSCRIPT "name" {size+} script');
    if (values === null) return "continue";
    const [name = "", content = ""] = values;
    const result = await ctx.deps.services.scripts.put(ctx.account.id, name, content);
    if (result.kind !== "stored") {
      await ctx.reply(refusal(result));
      return "continue";
    }
    ctx.log.info({ script: name }, "Sieve script stored");
    await ctx.reply(ok("Putscript completed"));
    return "continue";
  },
};

export const checkscript: CommandHandler = {
  states: AUTHENTICATED,
  async run(ctx, args) {
    const values = await texts(ctx, args, 1, "CHECKSCRIPT {size+} script");
    if (values === null) return "continue";
    const { maxScriptBytes } = ctx.deps.services.scripts.limits;
    const result = checkScript(values[0] ?? "", maxScriptBytes);
    await ctx.reply(result.ok ? ok("Script is valid") : no(formatScriptErrors(result.errors)));
    return "continue";
  },
};

export const listscripts: CommandHandler = {
  states: AUTHENTICATED,
  async run(ctx, args) {
    if (args.length > 0) {
      await ctx.reply(no("Syntax: LISTSCRIPTS"));
      return "continue";
    }
    for (const script of await ctx.deps.services.scripts.list(ctx.account.id)) {
      ctx.write(`${formatString(script.name)}${script.isActive ? " ACTIVE" : ""}\r\n`);
    }
    await ctx.reply(ok("Listscripts completed"));
    return "continue";
  },
};

export const setactive: CommandHandler = {
  states: AUTHENTICATED,
  async run(ctx, args) {
    const values = await texts(ctx, args, 1, 'SETACTIVE "name"');
    if (values === null) return "continue";
    const name = values[0] ?? "";
    // §2.8: the empty name deactivates whatever script is active.
    const isDone = await ctx.deps.services.scripts.setActive(ctx.account.id, name === "" ? null : name);
    await ctx.reply(
      isDone ? ok("Setactive completed") : no("There is no script by that name", "NONEXISTENT"),
    );
    return "continue";
  },
};

export const getscript: CommandHandler = {
  states: AUTHENTICATED,
  async run(ctx, args) {
    const values = await texts(ctx, args, 1, 'GETSCRIPT "name"');
    if (values === null) return "continue";
    const script = await ctx.deps.services.scripts.get(ctx.account.id, values[0] ?? "");
    if (script === undefined) {
      await ctx.reply(no("There is no script by that name", "NONEXISTENT"));
      return "continue";
    }
    // §2.9: the script always comes as a literal.
    ctx.write(`{${Buffer.byteLength(script.content, "utf8")}}\r\n${script.content}\r\n`);
    await ctx.reply(ok("Getscript completed"));
    return "continue";
  },
};

export const deletescript: CommandHandler = {
  states: AUTHENTICATED,
  async run(ctx, args) {
    const values = await texts(ctx, args, 1, 'DELETESCRIPT "name"');
    if (values === null) return "continue";
    const outcome = await ctx.deps.services.scripts.delete(ctx.account.id, values[0] ?? "");
    if (outcome === "nonexistent") await ctx.reply(no("There is no script by that name", "NONEXISTENT"));
    else if (outcome === "active") await ctx.reply(no("The active script cannot be deleted", "ACTIVE"));
    else await ctx.reply(ok("Deletescript completed"));
    return "continue";
  },
};

export const renamescript: CommandHandler = {
  states: AUTHENTICATED,
  async run(ctx, args) {
    const values = await texts(ctx, args, 2, 'RENAMESCRIPT "old" "new"');
    if (values === null) return "continue";
    const [from = "", to = ""] = values;
    const outcome = await ctx.deps.services.scripts.rename(ctx.account.id, from, to);
    if (outcome === "nonexistent") await ctx.reply(no("There is no script by that name", "NONEXISTENT"));
    else if (outcome === "alreadyExists")
      await ctx.reply(no("A script by the new name exists", "ALREADYEXISTS"));
    else if (outcome === "invalidName") await ctx.reply(no("Invalid script name"));
    else await ctx.reply(ok("Renamescript completed"));
    return "continue";
  },
};
