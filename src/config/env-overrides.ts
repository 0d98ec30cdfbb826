// Environment overrides for the keys containers set: data folder, store, hostname and every listen list.
// Listen lists are comma-separated "host:port" entries; an empty value disables that listener.

import { ConfigError } from "./config-error.js";
import { checkValue, type Field, SECTION_FIELDS, TOP_LEVEL_FIELDS } from "./config-schema.js";

/** Variable → [section ("" for top level), TOML key]. */
export const ENV_OVERRIDES: Readonly<Record<string, readonly [string, string]>> = {
  POSTFACH_DATA: ["", "data_dir"],
  POSTFACH_STORE: ["", "store"],
  POSTFACH_HOSTNAME: ["", "hostname"],
  POSTFACH_IMAP_LISTEN: ["imap", "listen"],
  POSTFACH_IMAPS_LISTEN: ["imap", "tls_listen"],
  POSTFACH_POP3_LISTEN: ["pop3", "listen"],
  POSTFACH_POP3S_LISTEN: ["pop3", "tls_listen"],
  POSTFACH_LMTP_LISTEN: ["lmtp", "listen"],
  POSTFACH_SMTP_LISTEN: ["smtp", "listen"],
  POSTFACH_SUBMISSION_LISTEN: ["submission", "listen"],
  POSTFACH_MANAGESIEVE_LISTEN: ["managesieve", "listen"],
  POSTFACH_SUBMISSIONS_LISTEN: ["submission", "tls_listen"],
  POSTFACH_HTTP_LISTEN: ["http", "listen"],
  POSTFACH_HTTPS_LISTEN: ["http", "tls_listen"],
  POSTFACH_ADMIN_LISTEN: ["admin", "listen"],
};

/** One override that is set in `env`: where it goes and its already-validated value. */
export interface EnvOverride {
  readonly variable: string;
  readonly section: string;
  readonly key: string;
  readonly value: string | readonly string[];
}

/** The overrides present in `env`, validated; throws ConfigError naming the variable. */
export function readEnvOverrides(env: NodeJS.ProcessEnv): EnvOverride[] {
  const found: EnvOverride[] = [];
  for (const [variable, [section, key]] of Object.entries(ENV_OVERRIDES)) {
    const raw = env[variable];
    if (raw === undefined) continue;
    const field: Field | undefined = section === "" ? TOP_LEVEL_FIELDS[key] : SECTION_FIELDS[section]?.[key];
    if (field === undefined) throw new Error(`env override ${variable} points at unknown key ${key}`);
    const value =
      field.type === "listen"
        ? raw
            .split(",")
            .map((entry) => entry.trim())
            .filter((entry) => entry !== "")
        : raw;
    const problem = checkValue(field, value);
    const dotted = section === "" ? key : `${section}.${key}`;
    if (problem !== undefined) throw new ConfigError(dotted, problem, { kind: "env", variable });
    found.push({ variable, section, key, value });
  }
  return found;
}
