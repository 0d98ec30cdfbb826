import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { defaultConfig } from "./config.js";
import { ConfigError } from "./config-error.js";
import { loadConfig } from "./load-config.js";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "postfach-config-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function loadError(options: Parameters<typeof loadConfig>[0]): Promise<ConfigError> {
  try {
    await loadConfig(options);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    return error;
  }
  assert.fail("loadConfig succeeded");
}

/** The [imap] METADATA keys' defaults (RFC 5464 limits, docs/configuration.md). */
const METADATA_DEFAULTS = {
  metadataMaxEntryBytes: 65_536,
  metadataMaxEntries: 100,
  metadataMaxAccountBytes: 1_048_576,
  metadataPrivate: true,
  metadataAdmin: "",
};

describe("defaults", () => {
  test("no file and no env gives the documented defaults with data_dir resolved against cwd", async () => {
    const config = await loadConfig({ env: {}, cwd: "/srv/mail" });
    assert.equal(config.dataDir, "/srv/mail/data");
    assert.equal(config.store, "sqlite");
    assert.equal(config.hostname, hostname());
    assert.deepEqual(config.log, { level: "info", format: "auto" });
    assert.deepEqual(config.tls, { cert: "", key: "", minVersion: "TLSv1.2", sni: [] });
    assert.deepEqual(config.imap, {
      listen: ["127.0.0.1:1143"],
      tlsListen: ["127.0.0.1:1993"],
      quotaAdmins: [],
      messageLimit: 1_000_000,
      saveLimit: 0,
      progressIntervalMs: 1000,
      compressLevel: 3,
      ...METADATA_DEFAULTS,
    });
    assert.deepEqual(config.pop3, {
      listen: ["127.0.0.1:1110"],
      tlsListen: ["127.0.0.1:1995"],
      expireDays: "never",
      loginDelaySeconds: 0,
      retrMarksSeen: true,
    });
    assert.deepEqual(config.lmtp.listen, ["127.0.0.1:2424"]);
    assert.deepEqual(config.smtp.listen, ["127.0.0.1:2525"]);
    assert.deepEqual(config.submission.listen, ["127.0.0.1:1587"]);
    assert.deepEqual(config.http.listen, ["127.0.0.1:8080"]);
    assert.equal(config.limits.maxMessageBytes, 52_428_800);
    assert.equal(config.limits.idleTimeoutMs, 1_800_000);
    assert.equal(config.accounts.specialUseFolders, true);
  });

  test("the result is deeply frozen", async () => {
    const config = await loadConfig({ env: {} });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.imap.listen));
    assert.ok(Object.isFrozen(defaultConfig().limits));
  });
});

describe("file", () => {
  test("values override defaults; relative paths resolve against the file's folder", async () => {
    const path = await writeConfig(
      "ok.toml",
      [
        'data_dir = "var"',
        'store = "postgres://mail@db/postfach"',
        'hostname = "mx.example.test"',
        "[log]",
        'level = "debug"',
        "[tls]",
        'cert = "tls/fullchain.pem"',
        'key = "/etc/ssl/private/mail.key"',
        'min_version = "TLSv1.3"',
        "[imap]",
        'listen = ["0.0.0.0:143", "[::]:143"]',
        "tls_listen = []",
        "[limits]",
        "max_connections_per_ip = 10",
        "[accounts]",
        "special_use_folders = false",
      ].join("\n"),
    );
    const config = await loadConfig({ path, env: {} });
    assert.equal(config.dataDir, join(dir, "var"));
    assert.equal(config.store, "postgres://mail@db/postfach");
    assert.equal(config.hostname, "mx.example.test");
    assert.equal(config.log.level, "debug");
    assert.equal(config.log.format, "auto");
    assert.equal(config.tls.cert, join(dir, "tls/fullchain.pem"));
    assert.equal(config.tls.key, "/etc/ssl/private/mail.key");
    assert.equal(config.tls.minVersion, "TLSv1.3");
    assert.deepEqual(config.imap, {
      listen: ["0.0.0.0:143", "[::]:143"],
      tlsListen: [],
      quotaAdmins: [],
      messageLimit: 1_000_000,
      saveLimit: 0,
      progressIntervalMs: 1000,
      compressLevel: 3,
      ...METADATA_DEFAULTS,
    });
    assert.equal(config.limits.maxConnectionsPerIp, 10);
    assert.equal(config.limits.maxConnections, 2000);
    assert.equal(config.accounts.specialUseFolders, false);
  });

  test("POSTFACH_CONFIG names the file when no path is given", async () => {
    const path = await writeConfig("env-path.toml", 'hostname = "from-env-path"\n');
    const config = await loadConfig({ env: { POSTFACH_CONFIG: path } });
    assert.equal(config.hostname, "from-env-path");
  });

  test("dotted keys and inline tables are accepted", async () => {
    const path = await writeConfig(
      "dotted.toml",
      'log.level = "warn"\nsmtp = { listen = ["127.0.0.1:25"] }\n',
    );
    const config = await loadConfig({ path, env: {} });
    assert.equal(config.log.level, "warn");
    assert.deepEqual(config.smtp.listen, ["127.0.0.1:25"]);
  });
});

describe("errors name the key, the file and the line", () => {
  const cases: Array<[string, string, string, number, RegExp]> = [
    ["unknown top-level key", 'hostname = "a"\nport = 143\n', "port", 2, /unknown key/],
    ["unknown section", "\n[imapd]\nlisten = []\n", "imapd", 2, /unknown key/],
    [
      "unknown key in a section",
      '[imap]\nlisten = []\nlisten_tls = ["127.0.0.1:993"]\n',
      "imap.listen_tls",
      3,
      /unknown/,
    ],
    ["wrong type", '[limits]\n# comment\nmax_connections = "many"\n', "limits.max_connections", 3, /integer/],
    ["float for integer", "[limits]\nidle_timeout_ms = 1.5\n", "limits.idle_timeout_ms", 2, /integer/],
    ["out of range", "[limits]\nmax_connections = 0\n", "limits.max_connections", 2, /range/],
    ["bad enum", '[log]\nformat = "xml"\n', "log.format", 2, /"auto", "json", "pretty"/],
    ["port out of range", '[pop3]\nlisten = ["127.0.0.1:99999"]\n', "pop3.listen", 2, /0-65535/],
    ["unbracketed IPv6", '[http]\nlisten = ["::1:8080"]\n', "http.listen", 2, /brackets/],
    ["listen not an array", '[lmtp]\nlisten = "127.0.0.1:24"\n', "lmtp.listen", 2, /array/],
    ["bad store", 'store = "mysql://x"\n', "store", 1, /postgres/],
    ["section not a table", "log = 3\n", "log", 1, /table/],
    ["dotted key", "limits.max_line_bytes = 10\n", "limits.max_line_bytes", 1, /range/],
    ["cert without key", '[tls]\ncert = "a.pem"\n', "tls.cert", 2, /together/],
  ];
  for (const [name, text, key, line, pattern] of cases) {
    test(name, async () => {
      const path = await writeConfig(`${name.replaceAll(" ", "-")}.toml`, text);
      const error = await loadError({ path, env: {} });
      assert.equal(error.key, key);
      assert.equal(error.file, path);
      assert.equal(error.line, line);
      assert.match(error.reason, pattern);
      assert.ok(
        error.message.startsWith(line === undefined ? `${path}: ${key}: ` : `${path}:${line}: ${key}: `),
      );
    });
  }

  test("TOML syntax errors carry smol-toml's line", async () => {
    const path = await writeConfig("syntax.toml", '[imap]\nlisten = ["a"\n\n');
    const error = await loadError({ path, env: {} });
    assert.equal(error.key, "");
    assert.match(error.message, /TOML syntax error/);
    assert.equal(typeof error.line, "number");
  });

  test("a missing file is an error, not silently the defaults", async () => {
    const path = join(dir, "missing.toml");
    const error = await loadError({ path, env: {} });
    assert.equal(error.file, path);
    assert.match(error.message, /not found/);
  });
});

describe("environment overrides", () => {
  test("override the file and resolve POSTFACH_DATA against cwd", async () => {
    const path = await writeConfig("env.toml", 'data_dir = "/var/lib/x"\n[imap]\nlisten = ["0.0.0.0:143"]\n');
    const config = await loadConfig({
      path,
      cwd: "/work",
      env: {
        POSTFACH_DATA: "state",
        POSTFACH_STORE: "postgresql://db/mail",
        POSTFACH_HOSTNAME: "mail.example.test",
        POSTFACH_IMAP_LISTEN: "0.0.0.0:1143, [::]:1143",
        POSTFACH_IMAPS_LISTEN: "",
        POSTFACH_POP3_LISTEN: "127.0.0.1:110",
        POSTFACH_POP3S_LISTEN: "127.0.0.1:995",
        POSTFACH_LMTP_LISTEN: "127.0.0.1:24",
        POSTFACH_SMTP_LISTEN: "0.0.0.0:25",
        POSTFACH_SUBMISSION_LISTEN: "0.0.0.0:587",
        POSTFACH_HTTP_LISTEN: "",
      },
    });
    assert.equal(config.dataDir, "/work/state");
    assert.equal(config.store, "postgresql://db/mail");
    assert.equal(config.hostname, "mail.example.test");
    assert.deepEqual(config.imap, {
      listen: ["0.0.0.0:1143", "[::]:1143"],
      tlsListen: [],
      quotaAdmins: [],
      messageLimit: 1_000_000,
      saveLimit: 0,
      progressIntervalMs: 1000,
      compressLevel: 3,
      ...METADATA_DEFAULTS,
    });
    assert.deepEqual(config.pop3, {
      listen: ["127.0.0.1:110"],
      tlsListen: ["127.0.0.1:995"],
      expireDays: "never",
      loginDelaySeconds: 0,
      retrMarksSeen: true,
    });
    assert.deepEqual(config.lmtp.listen, ["127.0.0.1:24"]);
    assert.deepEqual(config.smtp.listen, ["0.0.0.0:25"]);
    assert.deepEqual(config.submission.listen, ["0.0.0.0:587"]);
    assert.deepEqual(config.http.listen, []);
  });

  test("a bad value names the variable", async () => {
    const error = await loadError({ env: { POSTFACH_SMTP_LISTEN: "127.0.0.1:25,nonsense" } });
    assert.equal(error.key, "smtp.listen");
    assert.deepEqual(error.source, { kind: "env", variable: "POSTFACH_SMTP_LISTEN" });
    assert.match(error.message, /^environment variable POSTFACH_SMTP_LISTEN: smtp.listen: /);
  });

  test("an empty POSTFACH_DATA is rejected", async () => {
    const error = await loadError({ env: { POSTFACH_DATA: "" } });
    assert.equal(error.key, "data_dir");
  });
});

describe("[imap] metadata_*", () => {
  test("sets the METADATA limits, private entries and /shared/admin", async () => {
    const path = await writeConfig(
      "metadata.toml",
      "[imap]\nmetadata_max_entry_bytes = 1024\nmetadata_max_entries = 5\nmetadata_max_account_bytes = 4096\n" +
        'metadata_private = false\nmetadata_admin = "mailto:postmaster@example.org"\n',
    );
    const config = await loadConfig({ path, env: {} });
    assert.equal(config.imap.metadataMaxEntryBytes, 1024);
    assert.equal(config.imap.metadataMaxEntries, 5);
    assert.equal(config.imap.metadataMaxAccountBytes, 4096);
    assert.equal(config.imap.metadataPrivate, false);
    assert.equal(config.imap.metadataAdmin, "mailto:postmaster@example.org");
  });

  test("refuses a value limit above the largest literal and an admin that is no URI", async () => {
    const big = await writeConfig("metadata-big.toml", "[imap]\nmetadata_max_entry_bytes = 65537\n");
    assert.equal((await loadError({ path: big, env: {} })).key, "imap.metadata_max_entry_bytes");
    const admin = await writeConfig("metadata-admin.toml", '[imap]\nmetadata_admin = "postmaster"\n');
    assert.equal((await loadError({ path: admin, env: {} })).key, "imap.metadata_admin");
  });
});

describe("[imap] quota_admins", () => {
  test("lists the accounts that may run SETQUOTA", async () => {
    const path = await writeConfig("quota.toml", '[imap]\nquota_admins = ["postmaster@example.org"]\n');
    const config = await loadConfig({ path, env: {} });
    assert.deepEqual(config.imap.quotaAdmins, ["postmaster@example.org"]);
  });

  test("refuses an entry that is not an address", async () => {
    const path = await writeConfig("quota-bad.toml", '[imap]\nquota_admins = ["postmaster"]\n');
    const error = await loadError({ path, env: {} });
    assert.equal(error.key, "imap.quota_admins");
    assert.match(error.message, /expected addresses/);
  });
});

describe("[tls.sni], [proxy] and the network limits", () => {
  test("SNI certificates resolve against the file's folder; proxy and limits are read", async () => {
    const path = await writeConfig(
      "network.toml",
      [
        "[[tls.sni]]",
        'name = "Mail.Example.org"',
        'cert = "certs/mail.pem"',
        'key = "/etc/keys/mail.key"',
        "[[tls.sni]]",
        'name = "*.example.net"',
        'cert = "wild.pem"',
        'key = "wild.key"',
        "[proxy]",
        'trusted = ["10.0.0.0/8", "::1", "192.0.2.7/32"]',
        "imap = true",
        "[limits]",
        "login_idle_timeout_ms = 5000",
        "max_unsent_bytes = 1048576",
        "send_timeout_ms = 2000",
        "",
      ].join("\n"),
    );
    const config = await loadConfig({ path, env: {} });
    assert.deepEqual(config.tls.sni, [
      { name: "mail.example.org", cert: join(dir, "certs/mail.pem"), key: "/etc/keys/mail.key" },
      { name: "*.example.net", cert: join(dir, "wild.pem"), key: join(dir, "wild.key") },
    ]);
    assert.deepEqual(config.proxy, {
      ...defaultConfig().proxy,
      trusted: ["10.0.0.0/8", "::1", "192.0.2.7/32"],
      imap: true,
    });
    assert.equal(config.limits.loginIdleTimeoutMs, 5000);
    assert.equal(config.limits.maxUnsentBytes, 1_048_576);
    assert.equal(config.limits.sendTimeoutMs, 2000);
  });

  const cases: Array<[string, string, string, RegExp]> = [
    ["sni without key", '[[tls.sni]]\nname = "a.test"\ncert = "a.pem"\n', "tls.sni", /missing key/],
    ["sni bad name", '[[tls.sni]]\nname = "a b"\ncert = "a"\nkey = "b"\n', "tls.sni", /host name/],
    ["sni unknown key", '[[tls.sni]]\nname = "a.test"\nchain = "x"\n', "tls.sni", /unknown key "chain"/],
    ["proxy bad cidr", '[proxy]\ntrusted = ["10.0.0.0/33"]\n', "proxy.trusted", /prefix/],
    ["proxy not an address", '[proxy]\ntrusted = ["lb.example"]\n', "proxy.trusted", /not an IP/],
    ["proxy on without trusted", "[proxy]\npop3 = true\n", "proxy.trusted", /pop3/],
  ];
  for (const [name, text, key, pattern] of cases) {
    test(name, async () => {
      const path = await writeConfig(`${name.replaceAll(" ", "-")}.toml`, text);
      const error = await loadError({ path, env: {} });
      assert.equal(error.key, key);
      assert.match(error.reason, pattern);
    });
  }
});
