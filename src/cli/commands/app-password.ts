// `postfach user app-password add|list|del`: application passwords through admin/AppPasswordAdmin. The
// generated password is printed once, at creation; only its hash is stored.
import { AppPasswordAdmin } from "../../admin/app-password-admin.js";
import type { CliCommand, ParsedArgs } from "../command.js";
import { CliUsageError } from "../read-password.js";
import { withServices } from "../with-services.js";

function addressArg(args: ParsedArgs): string {
  const address = args.positionals[0];
  if (!address || args.positionals.length > 1) throw new CliUsageError("Expected exactly one address");
  return address;
}

function labelArg(args: ParsedArgs): string {
  const label = args.values.label;
  if (typeof label !== "string") throw new CliUsageError("--label is required");
  return label;
}

export const appPasswordCommands: CliCommand[] = [
  {
    path: ["user", "app-password", "add"],
    usage: "postfach user app-password add <address> --label <label>",
    summary: "Create an application password (printed once) for a device or app",
    options: { label: { type: "string" }, json: { type: "boolean" } },
    optionHelp: ["--label L   what it is for, e.g. phone; unique per account", "--json      print JSON"],
    run: (args) =>
      withServices(args, async ({ store, users }) => {
        const { record, password } = await new AppPasswordAdmin(store, users).add(
          addressArg(args),
          labelArg(args),
        );
        if (args.values.json) {
          console.log(JSON.stringify({ id: record.id, label: record.label, password }, null, 2));
        } else {
          console.log(`App password "${record.label}" (${record.id}) for ${addressArg(args).toLowerCase()}:`);
          console.log(`  ${password}`);
          console.log("It is shown only now; revoke it with `postfach user app-password del`.");
        }
        return 0;
      }),
  },
  {
    path: ["user", "app-password", "list"],
    usage: "postfach user app-password list <address> [--json]",
    summary: "List an account's application passwords (labels and dates, never the passwords)",
    options: { json: { type: "boolean" } },
    optionHelp: ["--json   print JSON"],
    run: (args) =>
      withServices(args, async ({ store, users }) => {
        const apps = await new AppPasswordAdmin(store, users).list(addressArg(args));
        const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
        if (args.values.json) {
          const rows = apps.map((a) => ({
            id: a.id,
            label: a.label,
            createdAt: iso(a.createdAtMs),
            lastUsedAt: iso(a.lastUsedAtMs),
          }));
          console.log(JSON.stringify(rows, null, 2));
        } else {
          for (const a of apps)
            console.log(
              `${a.id}\t${a.label}\tcreated ${iso(a.createdAtMs)}\tlast used ${iso(a.lastUsedAtMs) ?? "never"}`,
            );
          if (apps.length === 0) console.log("No app passwords.");
        }
        return 0;
      }),
  },
  {
    path: ["user", "app-password", "del"],
    usage: "postfach user app-password del <address> --label <label|id>",
    summary: "Revoke an application password at once",
    options: { label: { type: "string" }, id: { type: "string" } },
    optionHelp: ["--label L   the label given at creation", "--id ID     or its id (from list)"],
    run: (args) =>
      withServices(args, async ({ store, users }) => {
        const which = typeof args.values.id === "string" ? args.values.id : labelArg(args);
        const revoked = await new AppPasswordAdmin(store, users).revoke(addressArg(args), which);
        console.log(`Revoked app password "${revoked.label}" (${revoked.id})`);
        return 0;
      }),
  },
];
