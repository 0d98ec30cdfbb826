// `postfach domain add|list|del`: the domains this server receives mail for, through admin/DomainAdmin.
import { DomainAdmin } from "../../admin/domain-admin.js";
import type { CliCommand, ParsedArgs } from "../command.js";
import { CliUsageError } from "../read-password.js";
import { withServices } from "../with-services.js";

export function withDomainAdmin<T>(args: ParsedArgs, fn: (admin: DomainAdmin) => Promise<T>): Promise<T> {
  return withServices(args, (services) => fn(new DomainAdmin(services.store)));
}

/** The one domain a `domain …` command names. */
export function domainArg(args: ParsedArgs): string {
  const name = args.positionals[0];
  if (!name || args.positionals.length > 1) throw new CliUsageError("Expected exactly one domain");
  return name;
}

export const domainCommands: CliCommand[] = [
  {
    path: ["domain", "add"],
    usage: "postfach domain add <domain> [--catch-all <address>]",
    summary: "Receive mail for a domain (LMTP/SMTP)",
    options: { "catch-all": { type: "string" } },
    optionHelp: ["--catch-all <address>   deliver mail for unknown addresses of the domain there"],
    run: (args) =>
      withDomainAdmin(args, async (admin) => {
        const domain = await admin.addDomain(domainArg(args));
        console.log(`Added ${domain.name}`);
        const catchAll = args.values["catch-all"];
        if (typeof catchAll === "string") {
          await admin.addAlias(`@${domain.name}`, [catchAll]);
          console.log(`Catch-all of ${domain.name}: ${catchAll.toLowerCase()}`);
        }
        return 0;
      }),
  },
  {
    path: ["domain", "list"],
    usage: "postfach domain list [--json]",
    summary: "List local domains",
    options: { json: { type: "boolean" } },
    optionHelp: ["--json   print JSON"],
    run: (args) =>
      withDomainAdmin(args, async (admin) => {
        const domains = await admin.listDomains();
        if (args.values.json) {
          const rows = domains.map((d) => ({
            name: d.name,
            catchAll: d.catchAll,
            createdAt: new Date(d.createdAtMs).toISOString(),
          }));
          console.log(JSON.stringify(rows, null, 2));
        } else {
          for (const d of domains) console.log(d.catchAll ? `${d.name}\tcatch-all ${d.catchAll}` : d.name);
          if (domains.length === 0) console.log("No domains yet. Add one with: postfach domain add <domain>");
        }
        return 0;
      }),
  },
  {
    path: ["domain", "del"],
    usage: "postfach domain del <domain>",
    summary: "Stop receiving mail for a domain (removes its aliases; its accounts must be deleted first)",
    options: {},
    optionHelp: [],
    run: (args) =>
      withDomainAdmin(args, async (admin) => {
        const name = domainArg(args);
        await admin.deleteDomain(name);
        console.log(`Deleted ${name.toLowerCase()}`);
        return 0;
      }),
  },
];
