// `postfach backup` and `postfach restore`: the embedded store in one archive, consistent while the server
// runs, and back into an empty data folder (docs/operations.md "Backup and restore"). PostgreSQL refuses
// with a pointer to pg_dump and pgBackRest.
import { backupStore, restoreStore } from "../../services.js";
import type { CliCommand } from "../command.js";
import { loadCliConfig } from "../load-cli-config.js";
import { CliUsageError } from "../read-password.js";
import { formatBytes } from "../sizes.js";

export const backupCommands: CliCommand[] = [
  {
    path: ["backup"],
    usage: "postfach backup <file> [--json]",
    summary:
      "Write a consistent backup of the data folder (database and message files) while the server runs",
    options: { json: { type: "boolean" } },
    optionHelp: [
      "--json   print the result as JSON",
      "<file>   the archive to write (a tar file; must not exist)",
    ],
    run: async (args) => {
      const file = args.positionals[0];
      if (!file || args.positionals.length > 1) throw new CliUsageError("Expected one archive file");
      const report = await backupStore(await loadCliConfig(args), file);
      if (args.values.json) console.log(JSON.stringify(report, null, 2));
      else {
        console.log(
          `Backed up ${report.accounts} account(s), ${report.messages} message(s): database ${formatBytes(report.databaseBytes)} (schema ${report.schemaVersion}), ${report.blobs} message file(s) ${formatBytes(report.blobBytes)} → ${report.archive}`,
        );
      }
      return 0;
    },
  },
  {
    path: ["restore"],
    usage: "postfach restore <file> [--json]",
    summary: "Restore a backup into the configured data folder, which must be empty (the server stopped)",
    options: { json: { type: "boolean" } },
    optionHelp: ["--json   print the result as JSON", "<file>   an archive written by `postfach backup`"],
    run: async (args) => {
      const file = args.positionals[0];
      if (!file || args.positionals.length > 1) throw new CliUsageError("Expected one archive file");
      const report = await restoreStore(await loadCliConfig(args), file);
      if (args.values.json) console.log(JSON.stringify(report, null, 2));
      else {
        console.log(
          `Restored ${report.messages} message(s), ${report.files} file(s), schema ${report.schemaVersion} into ${report.dataDir}; checked: database integrity, every message file's SHA-256`,
        );
      }
      return 0;
    },
  },
];
