// `postfach sieve put|get|activate|deactivate|list|delete`: an account's Sieve scripts (docs/sieve.md),
// the same SieveScriptService ManageSieve uses, so a script is compiled and checked before it is stored.
import { readFile } from "node:fs/promises";
import { stdin } from "node:process";
import { requireStored } from "../../admin/sieve-admin.js";
import type { AccountId } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import type { Services } from "../../services.js";
import type { CliCommand, ParsedArgs } from "../command.js";
import { CliUsageError } from "../read-password.js";
import { withServices } from "../with-services.js";

function withAccount<T>(
  args: ParsedArgs,
  count: number,
  fn: (services: Services, accountId: AccountId, rest: readonly string[]) => Promise<T>,
): Promise<T> {
  const [address, ...rest] = args.positionals;
  if (!address) throw new CliUsageError("Expected an account address");
  if (rest.length < count) throw new CliUsageError("Expected a script name");
  return withServices(args, async (services) =>
    fn(services, (await services.users.require(address)).id, rest),
  );
}

async function readScript(path: string | undefined): Promise<string> {
  if (path !== undefined && path !== "-") return readFile(path, "utf8");
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const nonexistent = (name: string) => new MailError("nonexistent", `No script named ${name}`);

export const sieveCommands: CliCommand[] = [
  {
    path: ["sieve", "put"],
    usage: "postfach sieve put <address> <name> [FILE|-] [--activate]",
    summary: "Store a Sieve script (from FILE or standard input) after checking it",
    options: { activate: { type: "boolean" } },
    optionHelp: ["--activate   make it the account's active script"],
    run: (args) =>
      withAccount(args, 1, async ({ sieveScripts }, accountId, [name = "", file]) => {
        requireStored(await sieveScripts.put(accountId, name, await readScript(file)));
        if (args.values.activate) await sieveScripts.setActive(accountId, name);
        console.log(`Stored ${name}${args.values.activate ? " (active)" : ""}`);
        return 0;
      }),
  },
  {
    path: ["sieve", "get"],
    usage: "postfach sieve get <address> <name>",
    summary: "Print a Sieve script",
    options: {},
    optionHelp: [],
    run: (args) =>
      withAccount(args, 1, async ({ sieveScripts }, accountId, [name = ""]) => {
        const script = await sieveScripts.get(accountId, name);
        if (script === undefined) throw nonexistent(name);
        process.stdout.write(script.content);
        return 0;
      }),
  },
  {
    path: ["sieve", "activate"],
    usage: "postfach sieve activate <address> <name>",
    summary: "Make a script the one that runs at delivery",
    options: {},
    optionHelp: [],
    run: (args) =>
      withAccount(args, 1, async ({ sieveScripts }, accountId, [name = ""]) => {
        if (!(await sieveScripts.setActive(accountId, name))) throw nonexistent(name);
        console.log(`Activated ${name}`);
        return 0;
      }),
  },
  {
    path: ["sieve", "deactivate"],
    usage: "postfach sieve deactivate <address>",
    summary: "Run no script at delivery",
    options: {},
    optionHelp: [],
    run: (args) =>
      withAccount(args, 0, async ({ sieveScripts }, accountId) => {
        await sieveScripts.setActive(accountId, null);
        console.log("No script is active");
        return 0;
      }),
  },
  {
    path: ["sieve", "list"],
    usage: "postfach sieve list <address> [--json]",
    summary: "List an account's scripts, the active one marked",
    options: { json: { type: "boolean" } },
    optionHelp: ["--json   print JSON"],
    run: (args) =>
      withAccount(args, 0, async ({ sieveScripts }, accountId) => {
        const scripts = await sieveScripts.list(accountId);
        if (args.values.json) {
          const rows = scripts.map((s) => ({ name: s.name, active: s.isActive, bytes: s.sizeBytes }));
          console.log(JSON.stringify(rows, null, 2));
        } else {
          for (const s of scripts)
            console.log(`${s.name}\t${s.sizeBytes} bytes${s.isActive ? "\tactive" : ""}`);
        }
        return 0;
      }),
  },
  {
    path: ["sieve", "delete"],
    usage: "postfach sieve delete <address> <name>",
    summary: "Delete a script (not the active one: deactivate it first)",
    options: {},
    optionHelp: [],
    run: (args) =>
      withAccount(args, 1, async ({ sieveScripts }, accountId, [name = ""]) => {
        const outcome = await sieveScripts.delete(accountId, name);
        if (outcome === "nonexistent") throw nonexistent(name);
        if (outcome === "active")
          throw new MailError("inUse", `${name} is the active script; deactivate it first`);
        console.log(`Deleted ${name}`);
        return 0;
      }),
  },
];
