// `postfach user add|list|passwd|rename|del|quota|expunge`: account administration through admin/UserAdmin.
import { DomainAdmin } from "../../admin/domain-admin.js";
import { expungeOlderThan, parseAge } from "../../admin/retention.js";
import type { CliCommand, ParsedArgs } from "../command.js";
import { CliUsageError, readPassword } from "../read-password.js";
import { formatBytes, parseSize } from "../sizes.js";
import { withServices } from "../with-services.js";

function addressArg(args: ParsedArgs): string {
  const address = args.positionals[0];
  if (!address || args.positionals.length > 1) throw new CliUsageError("Expected exactly one address");
  return address;
}

async function passwordFrom(args: ParsedArgs): Promise<string> {
  const given = args.values.password;
  if (typeof given === "string") return given;
  return readPassword("Password: ", true);
}

const passwordOption = { password: { type: "string" as const } };
const passwordHelp = [
  "--password <pw>   take the password from the command line (visible in `ps` and shell history;",
  "                  only when you must). Otherwise it is read from a prompt, or from standard input when piped.",
];

export const userCommands: CliCommand[] = [
  {
    path: ["user", "expunge"],
    usage: "postfach user expunge <address> --older-than AGE [--folder NAME] [--dry-run] [--json]",
    summary: "Remove messages older than AGE (INTERNALDATE): 90d, 12w, 36h; all folders unless --folder",
    options: {
      "older-than": { type: "string" },
      folder: { type: "string" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
    },
    optionHelp: [
      "--older-than AGE   required: 90d, 12w or 36h",
      "--folder NAME      only this folder",
      "--dry-run          count what would be removed; remove nothing",
      "--json             print JSON",
    ],
    run: (args) => {
      const address = args.positionals[0];
      if (!address || args.positionals.length > 1) throw new CliUsageError("Expected an account address");
      const age = args.values["older-than"];
      if (typeof age !== "string") throw new CliUsageError("Expected --older-than AGE (e.g. 90d)");
      const cutoffMs = Date.now() - parseAge(age);
      const folder = typeof args.values.folder === "string" ? args.values.folder : undefined;
      const dryRun = args.values["dry-run"] === true;
      return withServices(args, async (services) => {
        const account = await services.users.require(address);
        const results = await expungeOlderThan(services, account.id, cutoffMs, { folder, dryRun });
        if (args.values.json) console.log(JSON.stringify({ dryRun, results }, null, 2));
        else {
          for (const r of results) {
            console.log(
              `${r.folder}: ${dryRun ? "would remove" : "removed"} ${r.expunged} (${formatBytes(r.bytes)})`,
            );
          }
        }
        return 0;
      });
    },
  },
  {
    path: ["user", "add"],
    usage: "postfach user add <address>",
    summary: "Create an account (with INBOX, Drafts, Sent, Trash, Junk and Archive)",
    options: { ...passwordOption, "password-hash": { type: "string" as const } },
    optionHelp: [
      ...passwordHelp,
      "--password-hash H   import a hash from another server instead: {SHA512-CRYPT}$6$…, {SHA256-CRYPT},",
      "                    {BLF-CRYPT}, {ARGON2ID}, {SSHA512}; rehashed to scrypt at the first login",
    ],
    run: (args) =>
      withServices(args, async ({ users, store }) => {
        const address = addressArg(args);
        const hash = args.values["password-hash"];
        const account =
          typeof hash === "string"
            ? await users.addWithHash(address, hash)
            : await users.add(address, await passwordFrom(args));
        console.log(`Created ${account.address}`);
        const warning = await new DomainAdmin(store).domainWarning(account.address);
        if (warning !== undefined) console.error(`postfach: warning: ${warning}`);
        return 0;
      }),
  },
  {
    path: ["user", "list"],
    usage: "postfach user list [--json]",
    summary: "List accounts with their usage",
    options: { json: { type: "boolean" } },
    optionHelp: ["--json   print JSON"],
    run: (args) =>
      withServices(args, async ({ users }) => {
        const accounts = await users.list();
        if (args.values.json) {
          console.log(
            JSON.stringify(
              accounts.map((a) => ({
                address: a.address,
                messages: a.messageCount,
                usedBytes: a.usedBytes,
                quota: a.quota,
                createdAt: new Date(a.createdAtMs).toISOString(),
              })),
              null,
              2,
            ),
          );
        } else {
          for (const a of accounts)
            console.log(`${a.address}\t${a.messageCount} messages\t${formatBytes(a.usedBytes)}`);
          if (accounts.length === 0)
            console.log("No accounts yet. Add one with: postfach user add <address>");
        }
        return 0;
      }),
  },
  {
    path: ["user", "passwd"],
    usage: "postfach user passwd <address>",
    summary: "Set an account's password",
    options: passwordOption,
    optionHelp: passwordHelp,
    run: (args) =>
      withServices(args, async ({ users }) => {
        const address = addressArg(args);
        await users.require(address);
        await users.setPassword(address, await passwordFrom(args));
        console.log(`Password of ${address.toLowerCase()} changed`);
        return 0;
      }),
  },
  {
    path: ["user", "rename"],
    usage: "postfach user rename <old-address> <new-address>",
    summary: "Change an account's address, keeping its mail, UIDs and passwords",
    options: {},
    optionHelp: [
      "Aliases, catch-alls and shared-folder grants naming the old address follow. Refused when the new",
      "address is an account or an alias already, or its domain is not served. Sessions logged in under the",
      "old address keep it until they log in again: end them with `postfach kick`.",
    ],
    run: (args) =>
      withServices(args, async ({ users }) => {
        const [from, to] = args.positionals;
        if (!from || !to || args.positionals.length > 2)
          throw new CliUsageError("Expected the old and the new address");
        const account = await users.rename(from, to);
        console.log(`Renamed ${from.toLowerCase()} to ${account.address}`);
        return 0;
      }),
  },
  {
    path: ["user", "del"],
    usage: "postfach user del <address> --yes",
    summary: "Delete an account and all its mail",
    options: { yes: { type: "boolean" } },
    optionHelp: ["--yes   confirm: the account's mail is deleted for good"],
    run: (args) =>
      withServices(args, async ({ users }) => {
        const address = addressArg(args);
        if (!args.values.yes)
          throw new CliUsageError(`This deletes ${address} and all its mail; add --yes to confirm`);
        await users.delete(address);
        console.log(`Deleted ${address.toLowerCase()}`);
        return 0;
      }),
  },
  {
    path: ["user", "quota"],
    usage: "postfach user quota <address> [--storage SIZE] [--messages N] [--json]",
    summary: "Show an account's quota and usage, or set its limits",
    options: { storage: { type: "string" }, messages: { type: "string" }, json: { type: "boolean" } },
    optionHelp: [
      "--storage SIZE   storage limit, e.g. 500M, 2G, 1048576; 0 or 'unlimited' removes it",
      "--messages N     message-count limit; 0 or 'unlimited' removes it",
      "--json           print JSON",
    ],
    run: (args) =>
      withServices(args, async ({ users }) => {
        const address = addressArg(args);
        let account = await users.require(address);
        const { storage, messages } = args.values;
        if (typeof storage === "string" || typeof messages === "string") {
          account = await users.setQuota(address, {
            storageBytes: typeof storage === "string" ? parseSize(storage) : account.quota.storageBytes,
            messages: typeof messages === "string" ? parseCount(messages) : account.quota.messages,
          });
        }
        if (args.values.json) {
          console.log(
            JSON.stringify(
              {
                address: account.address,
                usedBytes: account.usedBytes,
                messages: account.messageCount,
                quota: account.quota,
              },
              null,
              2,
            ),
          );
        } else {
          const limit = (v: number | null, f: (n: number) => string) => (v === null ? "unlimited" : f(v));
          console.log(`${account.address}`);
          console.log(
            `  storage:  ${formatBytes(account.usedBytes)} of ${limit(account.quota.storageBytes, formatBytes)}`,
          );
          console.log(`  messages: ${account.messageCount} of ${limit(account.quota.messages, String)}`);
        }
        return 0;
      }),
  },
];

function parseCount(text: string): number | null {
  if (text === "unlimited" || text === "0") return null;
  if (!/^\d+$/.test(text)) throw new CliUsageError(`Not a message count: ${text}`);
  return Number(text);
}
