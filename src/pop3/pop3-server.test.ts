import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultConfig } from "../config/config.js";
import { silentLogger } from "../kit/logger.js";
import { createPop3Listeners, type Pop3Services, parseExpireDays } from "./pop3-server.js";

/** Enough for building listener specs: no session runs, so the store (and its maildrop locks) stays unused. */
const services = { store: {} } as Pop3Services;
const config = {
  pop3: {
    listen: ["127.0.0.1:1110", "[::1]:1110"],
    tlsListen: ["127.0.0.1:1995"],
    expireDays: "never",
    loginDelaySeconds: 0,
    retrMarksSeen: true,
  },
  limits: { maxLineBytes: 65_536 },
  auth: { plaintextAuth: "tls_or_loopback" as const },
};

test("one STLS spec per listen address and one implicit-TLS spec per tls_listen address", () => {
  const specs = createPop3Listeners(services, config, silentLogger);
  assert.deepEqual(
    specs.map((s) => [s.proto, s.address, s.implicitTls]),
    [
      ["pop3", "127.0.0.1:1110", false],
      ["pop3", "[::1]:1110", false],
      ["pop3", "127.0.0.1:1995", true],
    ],
  );
  assert.ok(specs.every((s) => s.reject !== undefined));
  assert.deepEqual(
    createPop3Listeners(
      services,
      { ...config, pop3: { ...config.pop3, listen: [], tlsListen: [] } },
      silentLogger,
    ),
    [],
  );
});

test("expire_days: never or a number of days", () => {
  assert.equal(parseExpireDays("never"), null);
  assert.equal(parseExpireDays("30"), 30);
  assert.throws(() => parseExpireDays("soon"));
});

test("the project's Config fits createPop3Listeners as it is (what src/main.ts passes)", () => {
  const specs = createPop3Listeners(services, defaultConfig(), silentLogger);
  assert.deepEqual(
    specs.map((s) => [s.address, s.implicitTls]),
    [
      ["127.0.0.1:1110", false],
      ["127.0.0.1:1995", true],
    ],
  );
});
