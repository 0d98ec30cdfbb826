// The admin HTTP API over real sockets: 401 without the token on every operation; each operation's
// effect seen through IMAP or the store; kick ends an IMAP session (raw: `* BYE`; imapflow: closed), a
// POP3 session and a JMAP push stream, also when `postfach kick` asks from another process; the OpenAPI
// document served equals docs/admin-api.json and lists exactly the routes the server handles; /healthz,
// /readyz and /metrics (parsed by a Prometheus text-format parser, counters moving with traffic; the
// outbound queue gauges moving when mail to a remote recipient is queued and deferred; on a PostgreSQL-backed
// server too, with its store write latency series).
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import nodemailer from "nodemailer";
import { ADMIN_ROUTES } from "../src/admin/api/admin-routes.js";
import { describeWithPostgres } from "../src/store/postgres/postgres-test-harness.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { LineSocket } from "./helpers/line-socket.js";
import { postfach } from "./helpers/postfach-cli.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

interface MetricFamily {
  readonly name: string;
  readonly type: string;
  readonly metrics: readonly { labels?: Record<string, string>; value?: string; count?: string }[];
}
const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (
  text: string,
) => MetricFamily[];

const TOKEN = "test-admin-token-0123456789abcdef";

/** The value of an unlabelled gauge in the admin listener's /metrics (NaN when it is missing). */
async function gaugeValue(base: string, name: string): Promise<number> {
  const families = parsePrometheus(await (await fetch(`${base}/metrics`)).text());
  return Number(families.find((f) => f.name === name)?.metrics[0]?.value ?? Number.NaN);
}

/**
 * Submits a message to two remote recipients and watches the queue gauges: both are queued at once, and
 * both are deferred once the (refusing) smarthost of the test server has been tried.
 */
async function assertQueueGaugesMove(server: TestServer, base: string, sender: string): Promise<void> {
  const queued = () => gaugeValue(base, "postfach_outbound_queue_recipients");
  const deferred = () => gaugeValue(base, "postfach_outbound_queue_deferred_recipients");
  const queuedBefore = await queued();
  const deferredBefore = await deferred();
  assert.ok(Number.isFinite(queuedBefore) && Number.isFinite(deferredBefore));
  await server.addUser(sender);
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: server.port("submission"),
    secure: false,
    requireTLS: true,
    auth: { user: sender, pass: TEST_PASSWORD },
    tls: { rejectUnauthorized: false },
  });
  try {
    await transport.sendMail({
      from: sender,
      to: ["dave@remote.test", "erin@remote.test"],
      subject: "For the queue gauge",
      text: "Queued.\n",
    });
  } finally {
    transport.close();
  }
  assert.equal(await queued(), queuedBefore + 2);
  for (let tries = 0; tries < 200 && (await deferred()) < deferredBefore + 2; tries++) await sleep(50);
  assert.equal(await deferred(), deferredBefore + 2, "both recipients deferred after the refused attempt");
  assert.equal(await queued(), queuedBefore + 2, "deferred recipients stay queued");
  assert.ok(Number.isFinite(await gaugeValue(base, "postfach_outbound_sending_recipients")));
}
const DOCUMENT = new URL("../../docs/admin-api.json", import.meta.url);
/** Routes the listener serves without a token, besides ADMIN_ROUTES. */
const OPEN_ROUTES = ["GET /healthz", "GET /readyz", "GET /metrics", "GET /openapi.json"];

describe("admin HTTP API", () => {
  let server: TestServer;
  let base: string;

  const api = async (
    method: string,
    path: string,
    body?: unknown,
    token: string | null = TOKEN,
  ): Promise<{ status: number; json: unknown; text: string }> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {}
    return { status: response.status, json, text };
  };

  const canLogIn = async (user: string, pass = TEST_PASSWORD): Promise<boolean> => {
    const client = imapFlowClient(server.port("imap"), user, { auth: { user, pass } });
    try {
      await client.connect();
      await client.logout();
      return true;
    } catch {
      client.close();
      return false;
    }
  };

  before(async () => {
    server = await startTestServer((config) => ({
      ...config,
      admin: { enabled: true, listen: ["127.0.0.1:0"], token: TOKEN, tokenFile: "" },
    }));
    base = `http://${server.server.adminAddresses[0]}`;
  });

  after(async () => {
    await server?.stop();
  });

  it("refuses every API operation without the token, or with a wrong one", async () => {
    for (const route of ADMIN_ROUTES) {
      const path = route.path.replace(/\{[^}]+\}/g, "nobody%40example.test");
      for (const token of [null, "wrong-token-wrong-token-wrong"]) {
        const reply = await api(route.method, path, route.method === "GET" ? undefined : {}, token);
        assert.equal(reply.status, 401, `${route.method} ${route.path} with ${token ?? "no token"}`);
      }
    }
    const bad = await fetch(`${base}/api/v1/users`, { headers: { authorization: `Basic ${TOKEN}` } });
    assert.equal(bad.status, 401);
    assert.match(bad.headers.get("www-authenticate") ?? "", /^Bearer/);
  });

  it("serves the OpenAPI document of docs/, which lists exactly the routes the server handles", async () => {
    const served = await api("GET", "/openapi.json", undefined, null);
    assert.equal(served.status, 200);
    const document = JSON.parse(await readFile(DOCUMENT, "utf8")) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    assert.deepEqual(served.json, document);
    assert.equal(document.openapi, "3.1.0");
    const documented = Object.entries(document.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const handled = [...ADMIN_ROUTES.map((r) => `${r.method} ${r.path}`), ...OPEN_ROUTES].sort();
    assert.deepEqual(documented, handled);
  });

  it("users: add, list, get, password, quota, rename, delete — each seen over IMAP or in the store", async () => {
    const added = await api("POST", "/api/v1/users", {
      address: "Carol@example.test",
      password: TEST_PASSWORD,
    });
    assert.equal(added.status, 201, added.text);
    assert.equal((added.json as { address: string }).address, "carol@example.test");
    assert.ok(await canLogIn("carol@example.test"));
    const again = await api("POST", "/api/v1/users", {
      address: "carol@example.test",
      password: TEST_PASSWORD,
    });
    assert.equal(again.status, 409);
    const short = await api("POST", "/api/v1/users", { address: "dave@example.test", password: "short" });
    assert.equal(short.status, 400);
    assert.equal((short.json as { error: string }).error, "invalidInput");
    const notJson = await fetch(`${base}/api/v1/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: "{not json",
    });
    assert.equal(notJson.status, 400);

    const list = await api("GET", "/api/v1/users");
    assert.ok((list.json as { address: string }[]).some((a) => a.address === "carol@example.test"));
    assert.equal((await api("GET", "/api/v1/users/carol%40example.test")).status, 200);
    assert.equal((await api("GET", "/api/v1/users/nobody%40example.test")).status, 404);

    const changed = await api("PUT", "/api/v1/users/carol%40example.test/password", {
      password: "another-password-1",
    });
    assert.equal(changed.status, 204);
    assert.ok(await canLogIn("carol@example.test", "another-password-1"));
    assert.ok(!(await canLogIn("carol@example.test")));

    const quota = await api("PUT", "/api/v1/users/carol%40example.test/quota", { storageBytes: 5_000_000 });
    assert.equal(quota.status, 200, quota.text);
    const carol = await server.server.services.store.accounts.findByAddress("carol@example.test");
    assert.equal(carol?.quota.storageBytes, 5_000_000);
    assert.deepEqual((await api("GET", "/api/v1/users/carol%40example.test/quota")).json, {
      address: "carol@example.test",
      usedBytes: 0,
      messages: 0,
      quota: { storageBytes: 5_000_000, messages: null },
    });

    const renamed = await api("POST", "/api/v1/users/carol%40example.test/rename", {
      newAddress: "caroline@example.test",
    });
    assert.equal(renamed.status, 200, renamed.text);
    assert.ok(await canLogIn("caroline@example.test", "another-password-1"));
    assert.ok(!(await canLogIn("carol@example.test", "another-password-1")));

    assert.equal((await api("DELETE", "/api/v1/users/caroline%40example.test")).status, 204);
    assert.ok(!(await canLogIn("caroline@example.test", "another-password-1")));
    assert.equal((await api("DELETE", "/api/v1/users/caroline%40example.test")).status, 404);
    assert.equal((await api("PATCH", "/api/v1/users")).status, 405);
    assert.equal((await api("GET", "/api/v1/nothing")).status, 404);
  });

  it("domains and aliases: add, list, remove; an alias delivers to its target", async () => {
    await server.addUser("erin@example.test");
    assert.equal((await api("POST", "/api/v1/domains", { name: "Example.test" })).status, 201);
    const domains = (await api("GET", "/api/v1/domains")).json as { name: string }[];
    assert.deepEqual(
      domains.map((d) => d.name),
      ["example.test"],
    );
    const alias = await api("POST", "/api/v1/aliases", {
      address: "sales@example.test",
      targets: ["erin@example.test"],
    });
    assert.equal(alias.status, 201, alias.text);
    const check = await server.server.services.delivery.checkRecipient("sales@example.test");
    assert.equal(check.kind, "accepted");
    assert.deepEqual((await api("GET", "/api/v1/aliases?domain=example.test")).json, [
      { address: "sales@example.test", targets: ["erin@example.test"], isCatchAll: false },
    ]);
    assert.equal((await api("DELETE", "/api/v1/aliases/sales%40example.test")).status, 204);
    assert.deepEqual((await api("GET", "/api/v1/aliases")).json, []);
    const inUse = await api("DELETE", "/api/v1/domains/example.test");
    assert.ok(inUse.status >= 400, "a domain with accounts is not deleted");
    assert.equal((await api("POST", "/api/v1/domains", { name: "spare.example" })).status, 201);
    assert.equal((await api("DELETE", "/api/v1/domains/spare.example")).status, 204);
  });

  it("retention expunge, stats and doctor", async () => {
    await server.addUser("frank@example.test");
    const client = imapFlowClient(server.port("imap"), "frank@example.test");
    await client.connect();
    await client.append("INBOX", "Subject: old\r\n\r\nOld.\r\n", [], new Date("2020-01-01T00:00:00Z"));
    await client.append("INBOX", "Subject: new\r\n\r\nNew.\r\n", [], new Date());
    const dry = await api("POST", "/api/v1/users/frank%40example.test/expunge", {
      olderThan: "365d",
      folder: "INBOX",
      dryRun: true,
    });
    assert.deepEqual(dry.json, { dryRun: true, results: [{ folder: "INBOX", expunged: 1, bytes: 22 }] });
    const run = await api("POST", "/api/v1/users/frank%40example.test/expunge", { olderThan: "365d" });
    assert.equal(run.status, 200, run.text);
    const status = await client.status("INBOX", { messages: true });
    assert.ok(status, "STATUS answers");
    assert.equal(status.messages, 1);
    await client.logout();
    assert.equal(
      (await api("POST", "/api/v1/users/frank%40example.test/expunge", { olderThan: "1y" })).status,
      400,
    );

    const stats = (await api("GET", "/api/v1/stats")).json as {
      accounts: { address: string; messages: number }[];
    };
    assert.equal(stats.accounts.find((a) => a.address === "frank@example.test")?.messages, 1);
    const doctor = await api("GET", "/api/v1/doctor");
    assert.equal(doctor.status, 200);
    assert.equal((doctor.json as { isHealthy: boolean }).isHealthy, true);
  });

  it("kick ends the account's IMAP (with * BYE), POP3 and JMAP push sessions, others stay", async () => {
    await server.addUser("gina@example.test");
    await server.addUser("hank@example.test");
    const raw = await RawImap.loggedIn(server.port("imap"), "gina@example.test", TEST_PASSWORD);
    const flow = imapFlowClient(server.port("imap"), "gina@example.test");
    await flow.connect();
    await flow.mailboxOpen("INBOX");
    const flowClosed = new Promise<void>((resolve) => flow.once("close", () => resolve()));
    const pop = await LineSocket.connect(server.port("pop3"));
    await pop.readLine();
    pop.send("USER gina@example.test");
    await pop.readLine();
    pop.send(`PASS ${TEST_PASSWORD}`);
    assert.match(await pop.readLine(), /^\+OK/);
    const popClosed = new Promise<void>((resolve) => pop.socket.once("close", () => resolve()));
    const push = await fetch(
      `http://127.0.0.1:${server.port("http")}/jmap/eventsource?types=*&closeafter=no&ping=0`,
      {
        headers: {
          authorization: `Basic ${Buffer.from(`gina@example.test:${TEST_PASSWORD}`).toString("base64")}`,
        },
      },
    );
    assert.equal(push.status, 200);
    const pushEnded = (async () => {
      const reader = (push.body as ReadableStream<Uint8Array>).getReader();
      for (;;) if ((await reader.read()).done) return;
    })();
    const other = await RawImap.loggedIn(server.port("imap"), "hank@example.test", TEST_PASSWORD);

    const kicked = await api("POST", "/api/v1/users/gina%40example.test/kick");
    assert.equal(kicked.status, 200, kicked.text);
    assert.equal((kicked.json as { sessionsEnded: number }).sessionsEnded, 4);
    await raw.waitFor((text) => text.includes("\r\n"));
    assert.match(raw.received, /^\* BYE Disconnected by the administrator\r\n/m);
    await raw.waitFor(() => raw.isClosed);
    await flowClosed;
    await popClosed;
    await pushEnded;
    assert.match(await other.command("n1", "NOOP"), /^n1 OK/m, "another account's session stays");

    // From another process: `postfach kick` finds the admin API in the server's configuration.
    const again = await RawImap.loggedIn(server.port("imap"), "gina@example.test", TEST_PASSWORD);
    const tokenFile = join(server.dataDir, "admin-token");
    await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const configFile = join(server.dataDir, "postfach.toml");
    await writeFile(
      configFile,
      `data_dir = "${server.dataDir}"\n[admin]\nenabled = true\nlisten = ["${server.server.adminAddresses[0]}"]\ntoken_file = "admin-token"\n`,
    );
    const cli = await postfach(["kick", "gina@example.test", "--config", configFile], {});
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /Ended 1 session\(s\) of gina@example\.test/);
    await again.waitFor(() => again.isClosed);
    assert.match(again.received, /\* BYE Disconnected by the administrator/);
    const off = await postfach(["kick", "gina@example.test"], {
      POSTFACH_CONFIG: "",
      POSTFACH_DATA: server.dataDir,
    });
    assert.equal(off.code, 2);
    assert.match(off.stderr, /enable \[admin\]/);
    await other.command("z", "LOGOUT");
  });

  it("/healthz, /readyz and /metrics answer without a token; counters move with traffic", async () => {
    assert.deepEqual((await api("GET", "/healthz", undefined, null)).json, { status: "ok" });
    assert.deepEqual((await api("GET", "/readyz", undefined, null)).json, { status: "ready" });
    const sample = async (name: string, labels: Record<string, string>): Promise<number> => {
      const families = parsePrometheus((await api("GET", "/metrics", undefined, null)).text);
      const family = families.find((f) => f.name === name);
      const series = family?.metrics.find((m) =>
        Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
      );
      return Number(series?.value ?? series?.count ?? 0);
    };
    const loginsBefore = await sample("postfach_logins_total", { protocol: "imap", result: "ok" });
    const failedBefore = await sample("postfach_logins_total", { protocol: "imap", result: "failed" });
    // The parser keeps no labels on histogram samples: their _count line is read from the text.
    const selectCount = async (): Promise<number> => {
      const text = (await api("GET", "/metrics", undefined, null)).text;
      const line = /^postfach_command_duration_seconds_count\{proto="imap",command="select"\} (\d+)$/m.exec(
        text,
      );
      return Number(line?.[1] ?? 0);
    };
    const selectsBefore = await selectCount();
    const sentBefore = await sample("postfach_sent_bytes_total", { proto: "imap" });
    await server.addUser("ivy@example.test");
    const client = imapFlowClient(server.port("imap"), "ivy@example.test");
    await client.connect();
    await client.mailboxOpen("INBOX");
    await client.logout();
    assert.ok(!(await canLogIn("ivy@example.test", "wrong-password-1")));
    assert.equal(await sample("postfach_logins_total", { protocol: "imap", result: "ok" }), loginsBefore + 1);
    assert.equal(
      await sample("postfach_logins_total", { protocol: "imap", result: "failed" }),
      failedBefore + 1,
    );
    assert.ok((await selectCount()) > selectsBefore);
    assert.ok((await sample("postfach_sent_bytes_total", { proto: "imap" })) > sentBefore);
    const families = parsePrometheus((await api("GET", "/metrics", undefined, null)).text);
    const names = new Set(families.map((f) => f.name));
    for (const name of [
      "postfach_connections",
      "postfach_connections_total",
      "postfach_received_bytes_total",
      "postfach_store_write_duration_seconds",
      "postfach_process_memory_bytes",
      "postfach_event_loop_lag_seconds",
    ]) {
      assert.ok(names.has(name), name);
    }
    assert.equal(families.find((f) => f.name === "postfach_command_duration_seconds")?.type, "HISTOGRAM");
  });

  it("/metrics: the outbound queue gauges move when mail to remote recipients is queued and deferred", async () => {
    await assertQueueGaugesMove(server, base, "queue-metrics@example.test");
  });
});

await describeWithPostgres(() => {
  describe("/metrics of a PostgreSQL-backed server", () => {
    let server: TestServer;
    let base: string;
    before(async () => {
      server = await startTestServer(
        (config) => ({
          ...config,
          admin: { enabled: true, listen: ["127.0.0.1:0"], token: TOKEN, tokenFile: "" },
        }),
        { store: "postgres" },
      );
      base = `http://${server.server.adminAddresses[0]}`;
    });
    after(async () => {
      await server?.stop();
    });

    it("reports the store's write latency under backend=postgres", async () => {
      const writes = async (): Promise<number> => {
        const text = await (await fetch(`${base}/metrics`)).text();
        const line = /^postfach_store_write_duration_seconds_count\{backend="postgres"\} (\d+)$/m.exec(text);
        return Number(line?.[1] ?? 0);
      };
      const before = await writes();
      await server.addUser("pg-metrics@example.test");
      assert.ok((await writes()) > before, "creating an account is a write transaction");
    });

    it("the outbound queue gauges move when mail to remote recipients is queued and deferred", async () => {
      await assertQueueGaugesMove(server, base, "pg-queue-metrics@example.test");
    });
  });
});
