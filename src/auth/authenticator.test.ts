import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AppPasswordAdmin } from "../admin/app-password-admin.js";
import { UserAdmin } from "../admin/user-admin.js";
import { isMailError } from "../kit/mail-error.js";
import { MailboxService } from "../mail/mailbox-service.js";
import type { MailStore } from "../store/mail-store.js";
import { openSqliteStore } from "../store/sqlite/sqlite-store.js";
import { type AuthContext, Authenticator } from "./authenticator.js";
import { LoginLimiter } from "./login-limiter.js";
import { parseScramKeys } from "./scram-keys.js";

const FAST = { ln: 4, r: 8, p: 1 };
const CTX: AuthContext = { remoteAddress: "192.0.2.1", protocol: "imap", mechanism: "PLAIN" };
const NO_DELAY = {
  maxFailures: 1000,
  failureWindowMs: 60_000,
  blockMs: 60_000,
  failureDelayMs: 0,
  maxFailureDelayMs: 0,
};
const isAuthFailed = (error: unknown) => isMailError(error) && error.code === "authFailed";

describe("Authenticator", () => {
  let dir: string;
  let store: MailStore;
  let users: UserAdmin;
  let auth: Authenticator;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "postfach-auth-"));
    store = await openSqliteStore({ dataDir: dir });
    const options = { defaultQuota: { storageBytes: null, messages: null }, createSpecialUseFolders: false };
    users = new UserAdmin(store, new MailboxService(store), {
      ...options,
      scryptCost: FAST,
      scramIterations: 4096,
    });
    auth = new Authenticator(store, {
      limiter: new LoginLimiter(NO_DELAY),
      scryptCost: FAST,
      scramIterations: 4096,
    });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("rehashes an imported {SHA512-CRYPT} hash to scrypt with SCRAM keys on the first login", async () => {
    // openssl passwd -6 -salt saltsalt 'Hello world!'
    const imported =
      "{SHA512-CRYPT}$6$saltsalt$pn.eNCAqRIao3pxsOGdjVa9wVR7Rb/3WnbxOluoQKVZPzLuyetx3yF6VIZDfQnn/arrFVfrq3BqRb9gLqhI5z0";
    const account = await users.addWithHash("migrated@example.test", imported);
    await assert.rejects(
      auth.authenticate({ username: "migrated@example.test", password: "wrong" }, CTX),
      isAuthFailed,
    );
    assert.equal((await store.credentials.getPassword(account.id))?.passwordHash, imported);
    await auth.authenticate({ username: "Migrated@Example.test", password: "Hello world!" }, CTX);
    const stored = await store.credentials.getPassword(account.id);
    assert.match(stored?.passwordHash ?? "", /^\$scrypt\$ln=4,/);
    assert.equal(parseScramKeys(stored?.scramSha256 ?? "")?.iterations, 4096);
    await auth.authenticate({ username: "migrated@example.test", password: "Hello world!" }, CTX);
  });

  it("refuses an unsupported imported hash at import time", async () => {
    await assert.rejects(
      users.addWithHash("md5@example.test", "{MD5}abc"),
      (e: unknown) => isMailError(e) && e.code === "invalidInput",
    );
  });

  it("accepts the main password and every app password; a revoked one fails at once", async () => {
    await users.add("apps@example.test", "main password 1");
    const admin = new AppPasswordAdmin(store, users);
    const phone = await admin.add("apps@example.test", "phone");
    const laptop = await admin.add("apps@example.test", "laptop");
    await assert.rejects(
      admin.add("apps@example.test", "phone"),
      (e: unknown) => isMailError(e) && e.code === "alreadyExists",
    );
    for (const password of [
      "main password 1",
      phone.password,
      laptop.password,
      phone.password.toUpperCase(),
    ]) {
      assert.equal(
        (await auth.authenticate({ username: "apps@example.test", password }, CTX)).address,
        "apps@example.test",
      );
    }
    assert.ok((await admin.list("apps@example.test")).some((a) => a.lastUsedAtMs !== null));
    assert.ok(
      (await admin.list("apps@example.test")).every((a) => !JSON.stringify(a).includes(phone.password)),
    );
    await admin.revoke("apps@example.test", "phone");
    await assert.rejects(
      auth.authenticate({ username: "apps@example.test", password: phone.password }, CTX),
      isAuthFailed,
    );
    await auth.authenticate({ username: "apps@example.test", password: laptop.password }, CTX);
  });

  it("blocks the (account, IP) pair and the IP after too many failures, not the account elsewhere", async () => {
    const limited = new Authenticator(store, {
      limiter: new LoginLimiter({ ...NO_DELAY, maxFailures: 3 }),
      scryptCost: FAST,
    });
    await users.add("target@example.test", "right password");
    for (let i = 0; i < 3; i++) {
      await assert.rejects(
        limited.authenticate({ username: "target@example.test", password: `x${i}` }, CTX),
        isAuthFailed,
      );
    }
    await assert.rejects(
      limited.authenticate({ username: "target@example.test", password: "right password" }, CTX),
      isAuthFailed,
    );
    const elsewhere = { ...CTX, remoteAddress: "198.51.100.7" };
    await limited.authenticate({ username: "target@example.test", password: "right password" }, elsewhere);
  });
});
