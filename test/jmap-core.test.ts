// JMAP over real HTTP sockets (RFC 8620): the session resource, HTTP Basic authentication with the
// brute-force limits IMAP has, every request-level error, method-level errors, result references with
// JSON Pointer `*`, Core/echo, and HTTPS with the server's certificate.
import assert from "node:assert/strict";
import { request as httpsRequest } from "node:https";
import { after, before, describe, it } from "node:test";
import { CORE, type Invocation, JmapTestClient, MAIL } from "./helpers/jmap-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ALICE = "alice@example.test";
const BOB = "bob@example.test";

describe("JMAP core over HTTP", () => {
  let server: TestServer;
  let base: string;
  let alice: JmapTestClient;
  let accountId: string;
  before(async () => {
    server = await startTestServer((config) => ({
      ...config,
      auth: { ...config.auth, failureDelayMs: 5, maxFailureDelayMs: 20 },
      http: { ...config.http, maxCallsInRequest: 16, maxRequestBytes: 100_000 },
    }));
    await server.addUser(ALICE);
    await server.addUser(BOB);
    base = `http://127.0.0.1:${server.port("http")}`;
    alice = new JmapTestClient(base, ALICE, TEST_PASSWORD);
    accountId = await alice.accountId();
  });
  after(() => server.stop());

  it("serves the session resource with capabilities, limits, the account and the endpoint URLs", async () => {
    const session = await alice.session();
    const capabilities = session.capabilities as Record<string, Record<string, unknown>>;
    assert.equal(capabilities[CORE]?.maxCallsInRequest, 16);
    assert.equal(capabilities[CORE]?.maxSizeRequest, 100_000);
    for (const limit of ["maxConcurrentRequests", "maxObjectsInGet", "maxObjectsInSet", "maxSizeUpload"]) {
      assert.equal(typeof capabilities[CORE]?.[limit], "number", limit);
    }
    assert.ok(capabilities[MAIL]);
    assert.equal(session.username, ALICE);
    const accounts = session.accounts as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(accounts), [accountId]);
    assert.equal(accounts[accountId]?.isPersonal, true);
    assert.equal(session.apiUrl, `${base}/jmap/api`);
    assert.match(
      session.downloadUrl as string,
      /\/jmap\/download\/\{accountId\}\/\{blobId\}\/\{name\}\?accept=\{type\}$/,
    );
    assert.equal(typeof session.state, "string");
    const bob = await new JmapTestClient(base, BOB, TEST_PASSWORD).session();
    assert.notDeepEqual(Object.keys(bob.accounts as object), [accountId]);
  });

  it("answers 401 with a Basic challenge without or with wrong credentials", async () => {
    const none = await fetch(`${base}/.well-known/jmap`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /^Basic realm="Postfach"/);
    const api = await fetch(`${base}/jmap/api`, { method: "POST", body: "{}" });
    assert.equal(api.status, 401);
    const wrong = await new JmapTestClient(base, BOB, "not-the-password").fetch("/.well-known/jmap");
    assert.equal(wrong.status, 401);
    const garbled = await fetch(`${base}/.well-known/jmap`, { headers: { authorization: "Basic %%%" } });
    assert.equal(garbled.status, 401);
  });

  it("answers unknown paths with 404 and wrong methods with 405", async () => {
    // Paths without an extension are the webmail's app routes (index.html); a missing file and an unknown
    // API path are 404.
    assert.equal((await alice.fetch("/nothing-here.txt")).status, 404);
    assert.equal((await alice.fetch("/jmap/nothing-here")).status, 404);
    const wrongMethod = await alice.fetch("/jmap/api");
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get("allow"), "POST");
  });

  it("answers each request-level error with its RFC 8620 §3.6.1 problem type", async () => {
    const problem = async (body: string, status: number, type: string) => {
      const res = await alice.post(body);
      assert.equal(res.status, status, body.slice(0, 80));
      assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
      const json = (await res.json()) as Record<string, unknown>;
      assert.equal(json.type, `urn:ietf:params:jmap:error:${type}`);
      assert.equal(json.status, status);
      return json;
    };
    await problem("{not json", 400, "notJSON");
    await problem('"a string"', 400, "notRequest");
    await problem(JSON.stringify({ using: [CORE] }), 400, "notRequest");
    await problem(JSON.stringify({ using: [CORE], methodCalls: [["Core/echo", {}]] }), 400, "notRequest");
    await problem(JSON.stringify({ using: [CORE], methodCalls: [], extra: 1 }), 400, "notRequest");
    await problem(JSON.stringify({ using: ["urn:example:nope"], methodCalls: [] }), 400, "unknownCapability");
    const calls = Array.from({ length: 10_000 }, (_, i) => ["Core/echo", {}, `c${i}`]);
    const tooMany = await problem(
      JSON.stringify({ using: [CORE], methodCalls: calls.slice(0, 17) }),
      400,
      "limit",
    );
    assert.equal(tooMany.limit, "maxCallsInRequest");
    // 10,000 calls are also larger than maxSizeRequest here: either limit is the right answer.
    const flood = await alice.post(JSON.stringify({ using: [CORE], methodCalls: calls }));
    assert.ok(flood.status === 400 || flood.status === 413);
    assert.equal(((await flood.json()) as Record<string, unknown>).type, "urn:ietf:params:jmap:error:limit");
    const big = await problem(
      JSON.stringify({ using: [CORE], methodCalls: [["Core/echo", { pad: "x".repeat(200_000) }, "c"]] }),
      413,
      "limit",
    );
    assert.equal(big.limit, "maxSizeRequest");
    const invalidUtf8 = await alice.post(Buffer.from([0x7b, 0xff, 0x7d]));
    assert.equal(invalidUtf8.status, 400);
    // The server still answers normally afterwards.
    const [echo] = await alice.call([["Core/echo", { hello: [1, 2] }, "e"]], [CORE]);
    assert.deepEqual(echo, ["Core/echo", { hello: [1, 2] }, "e"]);
  });

  it("answers method-level errors and keeps running the following calls", async () => {
    const responses = await alice.call(
      [
        ["Nope/get", {}, "a"],
        ["Mailbox/get", { accountId: "Aother" }, "b"],
        ["Mailbox/get", { accountId, ids: 5 }, "c"],
        ["Mailbox/get", { accountId, unknownArg: true }, "d"],
        ["Mailbox/get", { accountId, properties: ["name", "bogus"] }, "e"],
        ["Email/changes", { accountId, sinceState: "garbage" }, "f"],
        ["Email/query", { accountId, filter: { unknownCondition: 1 } }, "g"],
        ["Email/query", { accountId, sort: [{ property: "color" }] }, "h"],
        ["Core/echo", { ok: true }, "i"],
      ],
      [CORE, MAIL],
    );
    const types = responses.map(([name, args]) => (name === "error" ? args.type : name));
    assert.deepEqual(types, [
      "unknownMethod",
      "accountNotFound",
      "invalidArguments",
      "invalidArguments",
      "invalidArguments",
      "cannotCalculateChanges",
      "unsupportedFilter",
      "unsupportedSort",
      "Core/echo",
    ]);
    assert.deepEqual(
      responses.map(([, , id]) => id),
      ["a", "b", "c", "d", "e", "f", "g", "h", "i"],
    );
    // A mail method without the mail capability in `using` is unknown to that request.
    const [withoutMail] = await alice.call([["Mailbox/get", { accountId }, "x"]], [CORE]);
    assert.equal(withoutMail?.[0], "error");
    assert.equal(withoutMail?.[1].type, "unknownMethod");
  });

  it("never shows another account's data: its account id is not found", async () => {
    const bobClient = new JmapTestClient(base, BOB, TEST_PASSWORD);
    const bobAccount = await bobClient.accountId();
    const [response] = await alice.call([["Mailbox/get", { accountId: bobAccount }, "x"]]);
    assert.deepEqual(response?.[0], "error");
    assert.equal(response?.[1].type, "accountNotFound");
    const download = await alice.fetch(`/jmap/download/${bobAccount}/Bsomething/x.eml`);
    assert.equal(download.status, 404);
  });

  it("resolves result references, including JSON Pointer paths with *", async () => {
    const responses = await alice.call([
      ["Mailbox/query", { accountId, filter: { role: "inbox" } }, "q"],
      [
        "Mailbox/get",
        {
          accountId,
          "#ids": { resultOf: "q", name: "Mailbox/query", path: "/ids" },
          properties: ["name", "role"],
        },
        "g",
      ],
      ["Mailbox/get", { accountId, properties: ["name"] }, "all"],
      ["Core/echo", { "#names": { resultOf: "all", name: "Mailbox/get", path: "/list/*/name" } }, "e"],
      ["Core/echo", { "#x": { resultOf: "nope", name: "Mailbox/get", path: "/ids" } }, "bad1"],
      ["Core/echo", { "#x": { resultOf: "q", name: "Mailbox/get", path: "/ids" } }, "bad2"],
      ["Core/echo", { "#x": { resultOf: "q", name: "Mailbox/query", path: "/nothing/here" } }, "bad3"],
      ["Core/echo", { x: 1, "#x": { resultOf: "q", name: "Mailbox/query", path: "/ids" } }, "bad4"],
    ]);
    const [query, get, all, echo, ...bad] = responses as [
      Invocation,
      Invocation,
      Invocation,
      Invocation,
      ...Invocation[],
    ];
    assert.equal(((get[1].list as Record<string, unknown>[])[0] as Record<string, unknown>).role, "inbox");
    assert.deepEqual((get[1].list as unknown[]).length, (query[1].ids as unknown[]).length);
    const names = (all[1].list as { name: string }[]).map((m) => m.name);
    assert.ok(names.includes("INBOX") && names.includes("Sent"));
    assert.deepEqual(echo[1], { names });
    assert.deepEqual(
      bad.map(([name, args]) => [name, args.type]),
      [
        ["error", "invalidResultReference"],
        ["error", "invalidResultReference"],
        ["error", "invalidResultReference"],
        ["error", "invalidArguments"],
      ],
    );
  });

  it("serves the same over HTTPS with the server's certificate", async () => {
    const port = server.port("http", true);
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: "127.0.0.1",
          port,
          path: "/.well-known/jmap",
          rejectUnauthorized: false,
          headers: { authorization: alice.authorization },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("end", () =>
            res.statusCode === 200 ? resolve(text) : reject(new Error(`HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on("error", reject);
      req.end();
    });
    const session = JSON.parse(body) as Record<string, unknown>;
    assert.equal(session.apiUrl, `https://127.0.0.1:${port}/jmap/api`);
  });
});

describe("JMAP brute-force limits", () => {
  let server: TestServer;
  let base: string;
  before(async () => {
    server = await startTestServer((config) => ({
      ...config,
      auth: { ...config.auth, maxFailures: 4, failureDelayMs: 5, maxFailureDelayMs: 20, blockMs: 60_000 },
    }));
    base = `http://127.0.0.1:${server.port("http")}`;
  });
  after(() => server.stop());

  it("blocks an IP and account pair after repeated failures, even for the right password", async () => {
    const victim = "victim@example.test";
    await server.addUser(victim);
    for (let i = 0; i < 4; i++) {
      assert.equal(
        (await new JmapTestClient(base, victim, `guess-${i}`).fetch("/.well-known/jmap")).status,
        401,
      );
    }
    const real = await new JmapTestClient(base, victim, TEST_PASSWORD).fetch("/.well-known/jmap");
    assert.equal(real.status, 401, "blocked even with the right password");
  });
});

describe("JMAP bearer tokens", () => {
  let server: TestServer;
  let base: string;
  before(async () => {
    server = await startTestServer();
    await server.addUser(ALICE);
    base = `http://127.0.0.1:${server.port("http")}`;
  });
  after(() => server.stop());

  it("issues a token for Basic credentials, accepts it instead of the password, and revokes it", async () => {
    const alice = new JmapTestClient(base, ALICE, TEST_PASSWORD);
    const login = await alice.fetch("/jmap/token", { method: "POST" });
    assert.equal(login.status, 200);
    const issued = (await login.json()) as { access_token: string; token_type: string; expires_in: number };
    assert.equal(issued.token_type, "Bearer");
    assert.equal(issued.expires_in, 86_400);
    assert.match(issued.access_token, /^[A-Za-z0-9_-]{43}$/);
    const bearer = { authorization: `Bearer ${issued.access_token}` };
    const session = await fetch(`${base}/.well-known/jmap`, { headers: bearer });
    assert.equal(session.status, 200);
    assert.equal(((await session.json()) as Record<string, unknown>).username, ALICE);
    const api = await fetch(`${base}/jmap/api`, {
      method: "POST",
      headers: bearer,
      body: JSON.stringify({ using: [CORE], methodCalls: [["Core/echo", { a: 1 }, "e"]] }),
    });
    assert.equal(api.status, 200);
    // A token cannot mint another one; only a password login can.
    assert.equal((await fetch(`${base}/jmap/token`, { method: "POST", headers: bearer })).status, 401);
    assert.equal((await fetch(`${base}/jmap/token`, { method: "DELETE", headers: bearer })).status, 204);
    const revoked = await fetch(`${base}/.well-known/jmap`, { headers: bearer });
    assert.equal(revoked.status, 401);
    assert.match(revoked.headers.get("www-authenticate") ?? "", /^Bearer .*invalid_token/);
    const forged = await fetch(`${base}/.well-known/jmap`, {
      headers: { authorization: `Bearer ${"A".repeat(43)}` },
    });
    assert.equal(forged.status, 401);
    const wrongPassword = await new JmapTestClient(base, ALICE, "wrong").fetch("/jmap/token", {
      method: "POST",
    });
    assert.equal(wrongPassword.status, 401);
  });
});
