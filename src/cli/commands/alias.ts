// `postfach alias add|list|del`: aliases with one or more targets and per-domain catch-alls ("@domain").
import type { CliCommand } from "../command.js";
import { CliUsageError } from "../read-password.js";
import { withDomainAdmin } from "./domain.js";

export const aliasCommands: CliCommand[] = [
  {
    path: ["alias", "add"],
    usage: "postfach alias add <alias> <target> [<target> …]",
    summary: "Deliver mail for an alias to accounts; @domain as alias sets the catch-all",
    options: {},
    optionHelp: [],
    run: (args) =>
      withDomainAdmin(args, async (admin) => {
        const [alias, ...targets] = args.positionals;
        if (!alias || targets.length === 0)
          throw new CliUsageError("Expected an alias and at least one target");
        const record = await admin.addAlias(alias, targets);
        console.log(`${record.address} → ${record.targets.join(", ")}`);
        return 0;
      }),
  },
  {
    path: ["alias", "list"],
    usage: "postfach alias list [<domain>] [--json]",
    summary: "List aliases and catch-alls",
    options: { json: { type: "boolean" } },
    optionHelp: ["--json   print JSON"],
    run: (args) =>
      withDomainAdmin(args, async (admin) => {
        if (args.positionals.length > 1) throw new CliUsageError("Expected at most one domain");
        const aliases = await admin.listAliases(args.positionals[0]);
        if (args.values.json) console.log(JSON.stringify(aliases, null, 2));
        else {
          for (const a of aliases) console.log(`${a.address}\t${a.targets.join(", ")}`);
          if (aliases.length === 0)
            console.log("No aliases. Add one with: postfach alias add <alias> <target>");
        }
        return 0;
      }),
  },
  {
    path: ["alias", "del"],
    usage: "postfach alias del <alias> [<target>]",
    summary: "Remove one target of an alias, the whole alias, or (@domain) the catch-all",
    options: {},
    optionHelp: [],
    run: (args) =>
      withDomainAdmin(args, async (admin) => {
        const [alias, target, ...extra] = args.positionals;
        if (!alias || extra.length > 0)
          throw new CliUsageError("Expected an alias and optionally one target");
        await admin.removeAlias(alias, target);
        console.log(
          target === undefined
            ? `Removed ${alias.toLowerCase()}`
            : `Removed ${alias.toLowerCase()} → ${target.toLowerCase()}`,
        );
        return 0;
      }),
  },
];
