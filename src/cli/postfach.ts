#!/usr/bin/env node
// The `postfach` command: finds the command in one table, parses its options, maps errors to exit
// codes (0 ok, 1 the operation failed, 2 wrong usage or configuration) and prints help at every level.
import { parseArgs } from "node:util";
import { ConfigError } from "../config/config-error.js";
import { isMailError } from "../kit/mail-error.js";
import type { CliCommand } from "./command.js";
import { aclCommands } from "./commands/acl.js";
import { aliasCommands } from "./commands/alias.js";
import { appPasswordCommands } from "./commands/app-password.js";
import { backupCommands } from "./commands/backup.js";
import { dkimCommands } from "./commands/dkim.js";
import { doctorCommand } from "./commands/doctor.js";
import { domainCommands } from "./commands/domain.js";
import { exportCommands } from "./commands/export.js";
import { importCommands } from "./commands/import.js";
import { kickCommand } from "./commands/kick.js";
import { mailboxCommands } from "./commands/mailbox.js";
import { migrateCommand } from "./commands/migrate.js";
import { queueCommands } from "./commands/queue.js";
import { serveCommand } from "./commands/serve.js";
import { sieveCommands } from "./commands/sieve.js";
import { statsCommand } from "./commands/stats.js";
import { userCommands } from "./commands/user.js";
import { CliUsageError } from "./read-password.js";

const COMMANDS: readonly CliCommand[] = [
  serveCommand,
  migrateCommand,
  doctorCommand,
  ...userCommands,
  ...appPasswordCommands,
  ...mailboxCommands,
  ...sieveCommands,
  ...aclCommands,
  ...domainCommands,
  ...dkimCommands,
  ...aliasCommands,
  ...queueCommands,
  ...importCommands,
  ...exportCommands,
  ...backupCommands,
  statsCommand,
  kickCommand,
];

const GLOBAL_HELP = [
  "--config FILE   configuration file (default: $POSTFACH_CONFIG, else ./postfach.toml if present)",
  "--help, -h      show help",
];

/** The command whose path starts argv (`postfach user add …`); the rest are its arguments. */
function findCommand(argv: readonly string[]): { command: CliCommand; rest: string[] } | undefined {
  for (const command of COMMANDS) {
    if (command.path.every((part, i) => argv[i] === part)) {
      return { command, rest: argv.slice(command.path.length) };
    }
  }
  return undefined;
}

function overview(prefix: readonly string[]): string {
  const matching = COMMANDS.filter((c) => prefix.every((part, i) => c.path[i] === part));
  const lines = ["Usage: postfach <command> [options]", "", "Commands:"];
  for (const c of matching) lines.push(`  ${c.path.join(" ").padEnd(16)} ${c.summary}`);
  lines.push(
    "",
    "Options:",
    ...GLOBAL_HELP.map((l) => `  ${l}`),
    "",
    "Run `postfach <command> --help` for details.",
  );
  return lines.join("\n");
}

function commandHelp(command: CliCommand): string {
  return [
    `Usage: ${command.usage}`,
    "",
    command.summary,
    "",
    "Options:",
    ...[...command.optionHelp, ...GLOBAL_HELP].map((l) => `  ${l}`),
  ].join("\n");
}

async function main(argv: readonly string[]): Promise<number> {
  const found = findCommand(argv);
  const firstOption = argv.findIndex((a) => a.startsWith("-"));
  const words = firstOption === -1 ? argv : argv.slice(0, firstOption);
  const wantsHelp = argv.includes("--help") || argv.includes("-h");
  if (!found) {
    if (words.length === 0 || wantsHelp) {
      console.log(overview(words));
      return 0;
    }
    const known = COMMANDS.some((c) => c.path[0] === words[0]);
    console.error(
      known ? overview(words.slice(0, 1)) : `Unknown command: ${words.join(" ")}\n\n${overview([])}`,
    );
    return 2;
  }
  const { command } = found;
  if (wantsHelp) {
    console.log(commandHelp(command));
    return 0;
  }
  const parsed = parseArgs({
    args: found.rest,
    options: { ...command.options, config: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  const values = parsed.values as Record<string, string | boolean | undefined>;
  return command.run({
    positionals: parsed.positionals,
    values,
    configPath: typeof values.config === "string" ? values.config : undefined,
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (isMailError(error)) {
      console.error(`postfach: ${error.publicText}`);
      process.exitCode = 1;
    } else if (error instanceof CliUsageError || error instanceof ConfigError) {
      console.error(`postfach: ${error.message}`);
      process.exitCode = 2;
    } else if (
      error instanceof TypeError &&
      "code" in error &&
      String(error.code).startsWith("ERR_PARSE_ARGS")
    ) {
      console.error(`postfach: ${error.message}`);
      process.exitCode = 2;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  },
);
