// Loads postfach.toml (or nothing: all defaults), validates every key against the schema, applies the
// environment overrides and resolves relative paths; the result is a frozen Config.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parse, TomlError } from "smol-toml";
import { type Config, deepFreeze, defaultConfig } from "./config.js";
import { ConfigError } from "./config-error.js";
import { camelCase, checkValue, describe, SECTION_FIELDS, TOP_LEVEL_FIELDS } from "./config-schema.js";
import { readEnvOverrides } from "./env-overrides.js";
import { findKeyLine } from "./find-key-line.js";

export interface LoadConfigOptions {
  /** The --config path; when absent, POSTFACH_CONFIG from `env`; when both are absent, no file. */
  readonly path?: string;
  readonly env: NodeJS.ProcessEnv;
  /** Base for relative paths when there is no file, and for POSTFACH_DATA; defaults to process.cwd(). */
  readonly cwd?: string;
}

type Table = Record<string, unknown>;

/**
 * Reads and validates the configuration. Relative `data_dir`, `tls.cert`, `tls.key` and [[tls.sni]] paths
 * resolve against the file's folder (the cwd without a file; POSTFACH_DATA always against the cwd).
 * Throws ConfigError for a missing or unreadable file, TOML syntax, unknown keys, wrong types or ranges.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<Config> {
  const cwd = options.cwd ?? process.cwd();
  const givenPath = options.path ?? nonEmpty(options.env.POSTFACH_CONFIG);
  const config = structuredClone(defaultConfig()) as unknown as Table;
  let baseDir = cwd;
  let file: { path: string; text: string } | undefined;

  if (givenPath !== undefined) {
    const path = resolve(cwd, givenPath);
    baseDir = dirname(path);
    file = { path, text: await readConfigText(path) };
    applyFile(config, parseToml(file.text, path), file.text, path);
  }

  const dataDirBase = { dir: baseDir };
  for (const override of readEnvOverrides(options.env)) {
    const target = override.section === "" ? config : (config[override.section] as Table);
    target[camelCase(override.key)] = override.value;
    if (override.key === "data_dir") dataDirBase.dir = cwd;
  }

  const tls = config.tls as Table;
  if ((tls.cert === "") !== (tls.key === "")) {
    // Only the file sets these, so `file` is known here.
    const key = tls.cert === "" ? "key" : "cert";
    const line = file === undefined ? undefined : findKeyLine(file.text, "tls", key);
    const source =
      file === undefined ? undefined : { kind: "file" as const, path: file.path, ...(line && { line }) };
    throw new ConfigError(
      `tls.${key}`,
      "tls.cert and tls.key must be set together (or both left empty)",
      source,
    );
  }
  const proxy = config.proxy as Table;
  const proxied = ["imap", "pop3", "lmtp", "smtp"].filter((proto) => proxy[proto] === true);
  if (proxied.length > 0 && (proxy.trusted as unknown[]).length === 0) {
    const line = file === undefined ? undefined : findKeyLine(file.text, "proxy", proxied[0]);
    const source =
      file === undefined ? undefined : { kind: "file" as const, path: file.path, ...(line && { line }) };
    throw new ConfigError(
      "proxy.trusted",
      `PROXY protocol is on for ${proxied.join(", ")}: list the load balancers' addresses in proxy.trusted`,
      source,
    );
  }
  const auth = config.auth as Table;
  if (auth.oauthbearer === true && (auth.oauthbearerIssuer === "" || auth.oauthbearerJwksFile === "")) {
    const line = file === undefined ? undefined : findKeyLine(file.text, "auth", "oauthbearer");
    const source =
      file === undefined ? undefined : { kind: "file" as const, path: file.path, ...(line && { line }) };
    throw new ConfigError(
      "auth.oauthbearer",
      "OAUTHBEARER needs auth.oauthbearer_issuer and auth.oauthbearer_jwks_file",
      source,
    );
  }
  if (auth.oauthbearerJwksFile !== "")
    auth.oauthbearerJwksFile = resolve(baseDir, auth.oauthbearerJwksFile as string);
  const admin = config.admin as Table;
  if (admin.tokenFile !== "") admin.tokenFile = resolve(baseDir, admin.tokenFile as string);
  if (admin.enabled === true && admin.token === "" && admin.tokenFile === "") {
    const line = file === undefined ? undefined : findKeyLine(file.text, "admin", "enabled");
    const source =
      file === undefined ? undefined : { kind: "file" as const, path: file.path, ...(line && { line }) };
    throw new ConfigError("admin.enabled", "the admin API needs admin.token or admin.token_file", source);
  }
  config.dataDir = resolve(dataDirBase.dir, config.dataDir as string);
  if (tls.cert !== "") tls.cert = resolve(baseDir, tls.cert as string);
  if (tls.key !== "") tls.key = resolve(baseDir, tls.key as string);
  tls.sni = (tls.sni as Table[]).map((entry) => ({
    name: (entry.name as string).toLowerCase(),
    cert: resolve(baseDir, entry.cert as string),
    key: resolve(baseDir, entry.key as string),
  }));
  return deepFreeze(config as unknown as Config);
}

async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "config file not found" : `cannot read config file (${code ?? error})`;
    throw new ConfigError("", reason, { kind: "file", path }, { cause: error });
  }
}

function parseToml(text: string, path: string): Table {
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const reason = `TOML syntax error: ${error.message.split("\n")[0] ?? "invalid document"}`;
    throw new ConfigError("", reason, { kind: "file", path, line: error.line }, { cause: error });
  }
}

/** Validates every key of the parsed file and writes it into `config` under its camelCase name. */
function applyFile(config: Table, table: Table, text: string, path: string): void {
  const fail = (section: string, key: string | undefined, reason: string): never => {
    const line = findKeyLine(text, section, key);
    const dotted = [section, key ?? ""].filter((part) => part !== "").join(".");
    throw new ConfigError(
      dotted,
      reason,
      line === undefined ? { kind: "file", path } : { kind: "file", path, line },
    );
  };
  for (const [name, value] of Object.entries(table)) {
    const topField = Object.hasOwn(TOP_LEVEL_FIELDS, name) ? TOP_LEVEL_FIELDS[name] : undefined;
    if (topField !== undefined) {
      const problem = checkValue(topField, value);
      if (problem !== undefined) fail("", name, problem);
      config[camelCase(name)] = value;
      continue;
    }
    const fields = Object.hasOwn(SECTION_FIELDS, name) ? SECTION_FIELDS[name] : undefined;
    if (fields === undefined) fail("", name, "unknown key");
    if (!isTable(value)) fail(name, undefined, `expected a table [${name}], got ${describe(value)}`);
    const target = config[camelCase(name)] as Table;
    for (const [key, inner] of Object.entries(value as Table)) {
      const field = fields !== undefined && Object.hasOwn(fields, key) ? fields[key] : undefined;
      if (field === undefined) fail(name, key, "unknown key");
      const problem = checkValue(field as NonNullable<typeof field>, inner);
      if (problem !== undefined) fail(name, key, problem);
      target[camelCase(key)] = inner;
    }
  }
}

const isTable = (value: unknown): boolean =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);

const nonEmpty = (value: string | undefined): string | undefined => (value === "" ? undefined : value);
