// How a CLI command is described: its name path, help text, and a run function over parsed arguments.
// One table of these (cli/postfach.ts) is the whole CLI; `--help` works at every level from it.
import type { ParseArgsConfig } from "node:util";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  /** The --config path, if given. */
  readonly configPath: string | undefined;
}

export interface CliCommand {
  /** e.g. ["user", "add"] */
  readonly path: readonly string[];
  readonly usage: string;
  readonly summary: string;
  readonly options: OptionSpec;
  /** Lines printed under "Options:" in --help. */
  readonly optionHelp: readonly string[];
  run(args: ParsedArgs): Promise<number>;
}
