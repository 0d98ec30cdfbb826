// `postfach export maildir|mbox`: a thin wrapper over admin/export.ts with a progress line on a terminal
// and the verify report at the end (docs/operations.md "Moving mail out: export").
import { type ExportFormat, exportAccount } from "../../admin/export.js";
import type { CliCommand, ParsedArgs } from "../command.js";
import { CliUsageError } from "../read-password.js";
import { withServices } from "../with-services.js";
import { printReport, progressLine } from "./import.js";

function exportCommand(format: ExportFormat, summary: string, destHelp: string): CliCommand {
  return {
    path: ["export", format],
    usage: `postfach export ${format} --account ADDRESS [--folder NAME] [--json] <dest>`,
    summary,
    options: { account: { type: "string" }, folder: { type: "string" }, json: { type: "boolean" } },
    optionHelp: [
      "--account ADDRESS   the account to export (required)",
      "--folder NAME       only this folder (default: every folder)",
      "--json              print the verify report as JSON",
      destHelp,
    ],
    run: (args: ParsedArgs) => {
      const dest = args.positionals[0];
      if (!dest || args.positionals.length > 1) throw new CliUsageError("Expected one destination");
      const address = args.values.account;
      if (typeof address !== "string" || address === "")
        throw new CliUsageError("Expected --account ADDRESS");
      const folder = typeof args.values.folder === "string" ? args.values.folder : undefined;
      return withServices(args, async (services) => {
        const account = await services.users.require(address);
        const onProgress = progressLine("Exporting");
        const report = await exportAccount(services, account.id, format, dest, {
          folder,
          ...(onProgress ? { onProgress } : {}),
        });
        return printReport(args, report, "export");
      });
    },
  };
}

export const exportCommands: CliCommand[] = [
  exportCommand(
    "maildir",
    "Export an account (or one folder) as a Maildir++ tree Dovecot reads (flags, keywords, UIDs)",
    "<dest>              a new (or empty) folder: the Maildir root",
  ),
  exportCommand(
    "mbox",
    "Export an account's folders as mboxrd files (flags in Status/X-Status/X-Keywords)",
    "<dest>              a new folder of <folder>.mbox files, or with --folder the mbox file",
  ),
];
