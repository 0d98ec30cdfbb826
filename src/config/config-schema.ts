// The TOML schema as data: every section, every key, its type and bounds. `checkValue` validates one
// value against its field; the loader walks the file with it, so an unknown key or wrong type is an error.

import { isIP } from "node:net";
import {
  LOG_FORMATS,
  LOG_LEVELS,
  PLAINTEXT_AUTH_POLICIES,
  SMARTHOST_TLS_MODES,
  TLS_MIN_VERSIONS,
} from "./config.js";
import { checkListenAddress } from "./listen-address.js";

export type Field =
  | { readonly type: "string"; readonly check?: (value: string) => string | undefined }
  | { readonly type: "enum"; readonly values: readonly string[] }
  | { readonly type: "integer"; readonly min: number; readonly max?: number }
  | { readonly type: "boolean" }
  | { readonly type: "listen" }
  /** An array of account addresses ("admin@example.org"). */
  | { readonly type: "addresses" }
  /** An array of CIDR blocks ("10.0.0.0/8", "::1/128") or bare addresses. */
  | { readonly type: "cidrs" }
  /** An array of strings, each checked by `check`. */
  | { readonly type: "strings"; readonly check: (value: string) => string | undefined }
  /** A TOML array of tables ([[tls.sni]]), each checked against `fields`, `required` keys present. */
  | {
      readonly type: "tables";
      readonly fields: Readonly<Record<string, Field>>;
      readonly required: readonly string[];
    };

const nonEmpty = (value: string): string | undefined => (value === "" ? "must not be empty" : undefined);
const count = (min: number): Field => ({ type: "integer", min, max: Number.MAX_SAFE_INTEGER });
const listen: Field = { type: "listen" };

function checkStore(value: string): string | undefined {
  if (value === "sqlite") return undefined;
  if (/^postgres(ql)?:\/\//.test(value) && URL.canParse(value)) return undefined;
  return `"${value}" is neither "sqlite" nor a postgres:// URL`;
}

function checkHostname(value: string): string | undefined {
  return /^[^\s]+$/.test(value) ? undefined : "must be a non-empty name without spaces";
}

/** A host name for SNI, or a wildcard of one label ("*.example.org"). */
function checkServerName(value: string): string | undefined {
  return /^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i.test(value) &&
    value.length <= 253
    ? undefined
    : 'must be a host name such as "mail.example.org" or "*.example.org"';
}

/** Why `value` is not an IP address or CIDR block, or undefined. */
export function checkCidr(value: string): string | undefined {
  const [network = "", prefix, ...rest] = value.split("/");
  const family = isIP(network);
  if (family === 0 || rest.length > 0) return `"${value}" is not an IP address or CIDR block`;
  if (prefix === undefined) return undefined;
  const bits = Number(prefix);
  const max = family === 4 ? 32 : 128;
  return /^[0-9]{1,3}$/.test(prefix) && bits <= max
    ? undefined
    : `"${value}" has a prefix length outside 0..${max}`;
}

/** A DNS server as node:dns takes it: "ip", "ip:port" or "[v6]:port". */
export function checkDnsServer(value: string): string | undefined {
  const bracketed = /^\[([^\]]*)\]:([0-9]{1,5})$/.exec(value);
  const v4WithPort = /^([0-9.]+):([0-9]{1,5})$/.exec(value);
  const [host, port] = bracketed
    ? [bracketed[1] ?? "", bracketed[2]]
    : v4WithPort
      ? [v4WithPort[1] ?? "", v4WithPort[2]]
      : [value, undefined];
  if (isIP(host) === 0) return `"${value}" is not an IP address, "ip:port" or "[v6]:port"`;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
    return `port ${port} in "${value}" is not 1-65535`;
  return undefined;
}

function checkDelimiter(value: string): string | undefined {
  return /^[+\-_=.#~]?$/.test(value) ? undefined : 'must be "" or one of + - _ = . # ~';
}

function checkExpireDays(value: string): string | undefined {
  return /^(never|[0-9]{1,5})$/.test(value) ? undefined : 'must be "never" or a number of days';
}

/** RFC 5464 §3.2.1.1: /shared/admin is a URI (mailto:, tel:, https:…); "" leaves it unset. */
function checkAdminUri(value: string): string | undefined {
  return value === "" || /^[a-z][a-z0-9+.-]*:[^\s]+$/i.test(value)
    ? undefined
    : 'must be "" or a URI such as "mailto:postmaster@example.org"';
}

/** "" or "host:port" of the smarthost. */
function checkSmarthost(value: string): string | undefined {
  return value === "" || checkListenAddress(value) === undefined
    ? undefined
    : 'must be "" (deliver to MX hosts) or "host:port" such as "smtp.example.net:587"';
}

/** Seconds between outbound attempts: "300,900,1800", at least one, each 1..604800. */
function checkRetrySchedule(value: string): string | undefined {
  const parts = value.split(",").map((part) => part.trim());
  return parts.every((part) => /^[0-9]{1,6}$/.test(part) && Number(part) >= 1 && Number(part) <= 604_800)
    ? undefined
    : 'must be seconds separated by commas, such as "300,900,1800,3600"';
}

/** Top-level keys; the `""` section. */
export const TOP_LEVEL_FIELDS: Readonly<Record<string, Field>> = {
  data_dir: { type: "string", check: nonEmpty },
  store: { type: "string", check: checkStore },
  hostname: { type: "string", check: checkHostname },
};

/** Sections (TOML tables) and their keys. */
export const SECTION_FIELDS: Readonly<Record<string, Readonly<Record<string, Field>>>> = {
  log: { level: { type: "enum", values: LOG_LEVELS }, format: { type: "enum", values: LOG_FORMATS } },
  tls: {
    cert: { type: "string" },
    key: { type: "string" },
    min_version: { type: "enum", values: TLS_MIN_VERSIONS },
    sni: {
      type: "tables",
      fields: {
        name: { type: "string", check: checkServerName },
        cert: { type: "string", check: nonEmpty },
        key: { type: "string", check: nonEmpty },
      },
      required: ["name", "cert", "key"],
    },
  },
  postgres: { pool_size: { type: "integer", min: 1, max: 1000 } },
  imap: {
    listen,
    tls_listen: listen,
    quota_admins: { type: "addresses" },
    message_limit: { type: "integer", min: 0, max: Number.MAX_SAFE_INTEGER },
    save_limit: { type: "integer", min: 0, max: Number.MAX_SAFE_INTEGER },
    progress_interval_ms: { type: "integer", min: 0, max: 3_600_000 },
    compress_level: { type: "integer", min: 0, max: 9 },
    metadata_max_entry_bytes: { type: "integer", min: 1, max: 65_536 },
    metadata_max_entries: { type: "integer", min: 1, max: 1_000_000 },
    metadata_max_account_bytes: count(1),
    metadata_private: { type: "boolean" },
    metadata_admin: { type: "string", check: checkAdminUri },
  },
  pop3: {
    listen,
    tls_listen: listen,
    expire_days: { type: "string", check: checkExpireDays },
    login_delay_seconds: { type: "integer", min: 0, max: 86_400 },
    retr_marks_seen: { type: "boolean" },
  },
  lmtp: { listen },
  smtp: { listen, check_authentication: { type: "boolean" } },
  submission: { listen, tls_listen: listen, save_to_sent: { type: "boolean" } },
  outbound: {
    smarthost: { type: "string", check: checkSmarthost },
    smarthost_tls: { type: "enum", values: SMARTHOST_TLS_MODES },
    smarthost_user: { type: "string" },
    smarthost_password: { type: "string" },
    smarthost_verify_tls: { type: "boolean" },
    mx_port: { type: "integer", min: 1, max: 65_535 },
    retry_schedule: { type: "string", check: checkRetrySchedule },
    queue_lifetime_seconds: { type: "integer", min: 1, max: 31_536_000 },
    poll_interval_ms: { type: "integer", min: 10, max: 3_600_000 },
    timeout_ms: { type: "integer", min: 100, max: 3_600_000 },
    concurrency: { type: "integer", min: 1, max: 1000 },
  },
  managesieve: { listen },
  sieve: {
    max_script_bytes: { type: "integer", min: 1024, max: 10_485_760 },
    max_scripts: { type: "integer", min: 1, max: 10_000 },
    max_total_bytes: { type: "integer", min: 1024, max: 1_073_741_824 },
    max_redirects: { type: "integer", min: 0, max: 32 },
    vacation_response_days: { type: "integer", min: 1, max: 365 },
  },
  http: {
    listen,
    tls_listen: listen,
    max_request_bytes: { type: "integer", min: 1024, max: 1_073_741_824 },
    max_calls_in_request: { type: "integer", min: 1, max: 100_000 },
    max_objects_in_get: { type: "integer", min: 1, max: 1_000_000 },
    max_objects_in_set: { type: "integer", min: 1, max: 1_000_000 },
    max_concurrent_requests: { type: "integer", min: 1, max: 10_000 },
    request_timeout_ms: { type: "integer", min: 1000, max: 3_600_000 },
    keep_alive_timeout_ms: { type: "integer", min: 100, max: 3_600_000 },
    token_lifetime_seconds: { type: "integer", min: 60, max: 31_536_000 },
  },
  limits: {
    max_message_bytes: count(1),
    max_line_bytes: { type: "integer", min: 1000, max: Number.MAX_SAFE_INTEGER },
    max_connections: count(1),
    max_connections_per_ip: count(1),
    idle_timeout_ms: count(1000),
    login_idle_timeout_ms: count(1000),
    max_unsent_bytes: count(65_536),
    max_commands_per_second: { type: "integer", min: 0, max: 1_000_000 },
    send_timeout_ms: count(1000),
    shutdown_grace_ms: count(0),
    max_recipients: { type: "integer", min: 1, max: 100_000 },
    max_sessions_per_account: { type: "integer", min: 1, max: 1_000_000 },
  },
  proxy: {
    trusted: { type: "cidrs" },
    header_timeout_ms: { type: "integer", min: 100, max: 600_000 },
    imap: { type: "boolean" },
    pop3: { type: "boolean" },
    lmtp: { type: "boolean" },
    smtp: { type: "boolean" },
  },
  accounts: {
    default_quota_bytes: count(0),
    default_quota_messages: count(0),
    special_use_folders: { type: "boolean" },
  },
  auth: {
    plaintext_auth: { type: "enum", values: PLAINTEXT_AUTH_POLICIES },
    max_failures: { type: "integer", min: 1, max: 1_000_000 },
    failure_window_ms: count(1000),
    block_ms: count(0),
    failure_delay_ms: { type: "integer", min: 0, max: 60_000 },
    max_failure_delay_ms: { type: "integer", min: 0, max: 60_000 },
    scram_iterations: { type: "integer", min: 4096, max: 1_000_000 },
    scrypt_log2_cost: { type: "integer", min: 4, max: 20 },
    login_cache_seconds: { type: "integer", min: 0, max: 86_400 },
    oauthbearer: { type: "boolean" },
    oauthbearer_issuer: { type: "string" },
    oauthbearer_audience: { type: "string" },
    oauthbearer_jwks_file: { type: "string" },
    oauthbearer_username_claim: { type: "string", check: nonEmpty },
  },
  admin: {
    enabled: { type: "boolean" },
    listen,
    token: { type: "string" },
    token_file: { type: "string" },
  },
  dns: {
    servers: { type: "strings", check: checkDnsServer },
    timeout_ms: { type: "integer", min: 100, max: 60_000 },
    tries: { type: "integer", min: 1, max: 10 },
  },
  blob_gc: {
    interval_ms: count(0),
    grace_ms: count(0),
  },
  delivery: {
    recipient_delimiter: { type: "string", check: checkDelimiter },
    detail_to_folder: { type: "boolean" },
    local_part_case_sensitive: { type: "boolean" },
    quota_permanent: { type: "boolean" },
    index_workers: { type: "integer", min: 0, max: 64 },
  },
};

export const camelCase = (snake: string): string =>
  snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Returns why `value` does not fit `field`, or undefined when it does. */
export function checkValue(field: Field, value: unknown): string | undefined {
  switch (field.type) {
    case "string":
      if (typeof value !== "string") return `expected a string, got ${describe(value)}`;
      return field.check?.(value);
    case "enum":
      if (typeof value !== "string" || !field.values.includes(value)) {
        return `expected one of ${field.values.map((v) => `"${v}"`).join(", ")}, got ${describe(value)}`;
      }
      return undefined;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value))
        return `expected an integer, got ${describe(value)}`;
      if (value < field.min || (field.max !== undefined && value > field.max)) {
        return `${value} is out of range (${field.min}..${field.max ?? "∞"})`;
      }
      return undefined;
    case "boolean":
      return typeof value === "boolean" ? undefined : `expected true or false, got ${describe(value)}`;
    case "listen": {
      if (!Array.isArray(value)) return `expected an array of "host:port" strings, got ${describe(value)}`;
      for (const entry of value) {
        if (typeof entry !== "string") return `expected "host:port" strings, got ${describe(entry)}`;
        const problem = checkListenAddress(entry);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    case "addresses": {
      if (!Array.isArray(value)) return `expected an array of addresses, got ${describe(value)}`;
      for (const entry of value) {
        if (typeof entry !== "string" || !/^[^\s@]+@[^\s@]+$/.test(entry)) {
          return `expected addresses such as "admin@example.org", got ${describe(entry)}`;
        }
      }
      return undefined;
    }
    case "cidrs": {
      if (!Array.isArray(value)) return `expected an array of CIDR strings, got ${describe(value)}`;
      for (const entry of value) {
        if (typeof entry !== "string") return `expected CIDR strings, got ${describe(entry)}`;
        const problem = checkCidr(entry);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    case "strings": {
      if (!Array.isArray(value)) return `expected an array of strings, got ${describe(value)}`;
      for (const entry of value) {
        if (typeof entry !== "string") return `expected strings, got ${describe(entry)}`;
        const problem = field.check(entry);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    case "tables":
      return checkTables(field, value);
  }
}

function checkTables(field: Extract<Field, { type: "tables" }>, value: unknown): string | undefined {
  if (!Array.isArray(value)) return `expected an array of tables, got ${describe(value)}`;
  for (const [index, entry] of value.entries()) {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry) || entry instanceof Date) {
      return `entry ${index + 1}: expected a table, got ${describe(entry)}`;
    }
    for (const [key, inner] of Object.entries(entry as Record<string, unknown>)) {
      const innerField = Object.hasOwn(field.fields, key) ? field.fields[key] : undefined;
      if (innerField === undefined) return `entry ${index + 1}: unknown key "${key}"`;
      const problem = checkValue(innerField, inner);
      if (problem !== undefined) return `entry ${index + 1}: ${key} ${problem}`;
    }
    const missing = field.required.filter((key) => !Object.hasOwn(entry, key));
    if (missing.length > 0) return `entry ${index + 1}: missing ${missing.join(", ")}`;
  }
  return undefined;
}

/** A short description of a TOML value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "number")
    return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  if (typeof value === "boolean") return `${value}`;
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a date";
  if (typeof value === "object" && value !== null) return "a table";
  return typeof value;
}
