// `postfach import maildir|mbox`: thin wrappers over admin/maildir-import.ts and admin/mbox-import.ts,
// with a progress line on a terminal and the verify report at the end (docs/operations.md "Import").

import { importImap, parseImapUrl } from "../../admin/imap-import.js";
import {
  formatReport,
  isComplete,
  type TransferOptions,
  type TransferReport,
} from "../../admin/import-report.js";
import { importMaildir } from "../../admin/maildir-import.js";
import { importMbox } from "../../admin/mbox-import.js";
import type { CliCommand, ParsedArgs } from "../command.js";
import { CliUsageError, readPassword } from "../read-password.js";
import { withServices } from "../with-services.js";

const COMMON_OPTIONS = {
  account: { type: "string" },
  "dry-run": { type: "boolean" },
  "skip-damaged": { type: "boolean" },
  json: { type: "boolean" },
} as const;

const COMMON_HELP = [
  "--account ADDRESS   the account to import into (required)",
  "--dry-run           report what would be imported; write nothing",
  "--skip-damaged      import the rest when some messages are damaged (they are reported either way)",
  "--json              print the verify report as JSON",
];

/** A progress line on standard error while it is a terminal; nothing otherwise (logs stay clean). */
export function progressLine(label: string): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done !== total && now - last < 100) return;
    last = now;
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    process.stderr.write(`\r${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}`);
    if (done === total) process.stderr.write("\n");
  };
}

export function transferOptions(args: ParsedArgs, label: string): TransferOptions {
  const onProgress = progressLine(label);
  return {
    dryRun: args.values["dry-run"] === true,
    skipDamaged: args.values["skip-damaged"] === true,
    ...(onProgress ? { onProgress } : {}),
  };
}

/** Prints the report (text or JSON); exit code 0 when complete, 1 when something is missing or damaged. */
export function printReport(args: ParsedArgs, report: TransferReport, verb: "import" | "export"): number {
  if (args.values.json) console.log(JSON.stringify({ ...report, complete: isComplete(report) }, null, 2));
  else for (const line of formatReport(report, verb)) console.log(line);
  return isComplete(report) ? 0 : 1;
}

function requireAccount(args: ParsedArgs): string {
  const account = args.values.account;
  if (typeof account !== "string" || account === "") throw new CliUsageError("Expected --account ADDRESS");
  return account;
}

export const importCommands: CliCommand[] = [
  {
    path: ["import", "maildir"],
    usage: "postfach import maildir <dir> --account ADDRESS [--dry-run] [--skip-damaged] [--json]",
    summary: "Import a Dovecot/Courier Maildir++ tree (folders, flags, keywords, UIDs, POP3 UIDLs)",
    options: COMMON_OPTIONS,
    optionHelp: COMMON_HELP,
    run: (args) => {
      const dir = args.positionals[0];
      if (!dir || args.positionals.length > 1) throw new CliUsageError("Expected one Maildir folder");
      const address = requireAccount(args);
      return withServices(args, async (services) => {
        const account = await services.users.require(address);
        const report = await importMaildir(services, account.id, dir, transferOptions(args, "Importing"));
        return printReport(args, report, "import");
      });
    },
  },
  {
    path: ["import", "mbox"],
    usage:
      "postfach import mbox <file> --account ADDRESS [--folder NAME] [--dry-run] [--skip-damaged] [--json]",
    summary: "Import an mbox file (mboxrd, mboxcl2 with Content-Length) into one folder",
    options: { ...COMMON_OPTIONS, folder: { type: "string" } },
    optionHelp: [...COMMON_HELP, "--folder NAME       the target folder, created if missing (default INBOX)"],
    run: (args) => {
      const file = args.positionals[0];
      if (!file || args.positionals.length > 1) throw new CliUsageError("Expected one mbox file");
      const address = requireAccount(args);
      const folder = typeof args.values.folder === "string" ? args.values.folder : "INBOX";
      return withServices(args, async (services) => {
        const account = await services.users.require(address);
        const report = await importMbox(
          services,
          account.id,
          file,
          folder,
          transferOptions(args, "Importing"),
        );
        return printReport(args, report, "import");
      });
    },
  },
  {
    path: ["import", "imap"],
    usage:
      "postfach import imap --from imaps://USER@HOST[:PORT] --account ADDRESS [--folder NAME] [--insecure] [--dry-run] [--json]",
    summary:
      "Copy every folder of an account on another IMAP server (flags, keywords, dates, UIDs); re-runs resume",
    options: {
      ...COMMON_OPTIONS,
      from: { type: "string" },
      folder: { type: "string" },
      insecure: { type: "boolean" },
    },
    optionHelp: [
      "--from URL          imaps://user@host[:port] (or imap:// with STARTTLS); the password is read from a prompt or standard input",
      ...COMMON_HELP,
      "--folder NAME       only this folder (its name in Postfach, / as delimiter)",
      "--insecure          accept a source certificate that does not verify",
    ],
    run: async (args) => {
      if (args.positionals.length > 0) throw new CliUsageError("Unexpected argument; use --from URL");
      const from = args.values.from;
      if (typeof from !== "string") throw new CliUsageError("Expected --from imaps://user@host");
      const address = requireAccount(args);
      const source = {
        ...parseImapUrl(from),
        password: await readPassword("Source password: ", false),
        allowUntrustedCertificate: args.values.insecure === true,
      };
      const folder = typeof args.values.folder === "string" ? args.values.folder : undefined;
      return withServices(args, async (services) => {
        const account = await services.users.require(address);
        const report = await importImap(services, account.id, source, {
          ...transferOptions(args, "Importing"),
          ...(folder === undefined ? {} : { folder }),
        });
        return printReport(args, report, "import");
      });
    },
  },
];
