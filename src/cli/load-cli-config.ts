// The configuration for a CLI command: --config, else POSTFACH_CONFIG, else ./postfach.toml when it
// exists, else the defaults (so `postfach user add` works right after `npm start` in the same folder).
import { existsSync } from "node:fs";
import type { Config } from "../config/config.js";
import { loadConfig } from "../config/load-config.js";
import type { ParsedArgs } from "./command.js";

export const DEFAULT_CONFIG_FILE = "postfach.toml";

export function loadCliConfig(args: Pick<ParsedArgs, "configPath">): Promise<Config> {
  const path =
    args.configPath ??
    (process.env.POSTFACH_CONFIG
      ? undefined
      : existsSync(DEFAULT_CONFIG_FILE)
        ? DEFAULT_CONFIG_FILE
        : undefined);
  return loadConfig(path === undefined ? { env: process.env } : { path, env: process.env });
}
