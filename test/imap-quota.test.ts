// QUOTA over real sockets (RFC 9208): GETQUOTA, GETQUOTAROOT, SETQUOTA for [imap] quota_admins only,
// NO [OVERQUOTA] on APPEND and COPY past a limit, STORAGE usage equal to the sum of STATUS SIZE, and
// DELETED-STORAGE; raw wire checks and imapflow's getQuota.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const ADMIN = "admin@example.test";
const message = (subject: string, bodyBytes = 10) =>
  `From: bob@example.test\r\nTo: alice@example.test\r\nSubject: ${subject}\r\n\r\n${"x".repeat(bodyBytes)}\r\n`;

describe("IMAP QUOTA (RFC 9208)", () => {
  let t: TestServer;
  let port: number;
  let userCount = 0;
  const nextUser = (): string => `quota${++userCount}@example.test`;

  before(async () => {
    t = await startTestServer((config) => ({ ...config, imap: { ...config.imap, quotaAdmins: [ADMIN] } }));
    port = t.port("imap");
    await Promise.all([
      t.addUser(ADMIN),
      ...Array.from({ length: 8 }, (_, i) => t.addUser(`quota${i + 1}@example.test`)),
    ]);
  });
  after(async () => {
    await t.stop();
  });

  async function login(user: string): Promise<RawImap> {
    const raw = await RawImap.loggedIn(port, user, TEST_PASSWORD);
    return raw;
  }

  async function append(raw: RawImap, tag: string, mailbox: string, text: string): Promise<string> {
    raw.take();
    raw.write(`${tag} APPEND ${mailbox} {${Buffer.byteLength(text)}+}\r\n${text}\r\n`);
    return raw.untilTagged(tag);
  }

  async function setQuota(user: string, limits: string): Promise<string> {
    const admin = await login(ADMIN);
    try {
      return await admin.command("q1", `SETQUOTA "${user}" (${limits})`);
    } finally {
      admin.close();
    }
  }

  it("advertises QUOTA, both resources and QUOTASET after login only", async () => {
    const raw = await RawImap.connect(port);
    assert.doesNotMatch(await raw.command("c1", "CAPABILITY"), / QUOTA/);
    assert.match(await raw.command("l1", `LOGIN ${nextUser()} ${TEST_PASSWORD}`), /^l1 OK/m);
    const capabilities = await raw.command("c2", "CAPABILITY");
    for (const name of ["QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "QUOTASET"]) {
      assert.match(capabilities, new RegExp(` ${name}( |\\r)`));
    }
    raw.close();
  });

  it('puts every mailbox in the root "" and reports no resources while the account is unlimited', async () => {
    const raw = await login(nextUser());
    const reply = await raw.command("g1", "GETQUOTAROOT INBOX");
    assert.match(reply, /^\* QUOTAROOT INBOX ""\r\n\* QUOTA "" \(\)\r\ng1 OK/m);
    assert.match(await raw.command("g2", "GETQUOTAROOT Drafts"), /^\* QUOTAROOT Drafts ""\r\n/m);
    assert.match(await raw.command("g3", 'GETQUOTA ""'), /^\* QUOTA "" \(\)\r\ng3 OK/m);
    assert.match(await raw.command("g4", "GETQUOTAROOT Nowhere"), /^g4 NO \[NONEXISTENT\]/m);
    raw.close();
  });

  it("lets a quota admin set another account's limits, which that user then sees", async () => {
    const user = nextUser();
    const reply = await setQuota(user, "STORAGE 100 MESSAGE 5");
    assert.match(reply, new RegExp(`^\\* QUOTA "?${user}"? \\(STORAGE 0 100 MESSAGE 0 5\\)\r\nq1 OK`, "m"));
    const raw = await login(user);
    assert.match(await append(raw, "a1", "INBOX", message("one", 2000)), /^a1 OK/m);
    assert.match(await raw.command("g1", 'GETQUOTA ""'), /^\* QUOTA "" \(STORAGE 3 100 MESSAGE 1 5\)\r\n/m);
    // A resource left out of SETQUOTA loses its limit (§4.1.3).
    assert.match(await setQuota(user, "MESSAGE 7"), /\(MESSAGE 1 7\)\r\nq1 OK/);
    assert.match(await raw.command("g2", 'GETQUOTA ""'), /^\* QUOTA "" \(MESSAGE 1 7\)\r\n/m);
    assert.match(await setQuota(user, ""), /\(\)\r\nq1 OK/);
    raw.close();
  });

  it("refuses SETQUOTA to an ordinary user and hides other accounts' roots from it", async () => {
    const raw = await login(nextUser());
    assert.match(await raw.command("s1", 'SETQUOTA "" (STORAGE 1)'), /^s1 NO \[NOPERM\]/m);
    assert.match(await raw.command("g1", `GETQUOTA "${ADMIN}"`), /^g1 NO \[NONEXISTENT\]/m);
    raw.close();
  });

  it("answers an unknown root or resource with NO and a malformed SETQUOTA with BAD", async () => {
    const admin = await login(ADMIN);
    assert.match(await admin.command("g1", 'GETQUOTA "nobody@example.test"'), /^g1 NO \[NONEXISTENT\]/m);
    assert.match(await admin.command("s1", 'SETQUOTA "" (MAILBOX 10)'), /^s1 NO Unsupported/m);
    assert.match(await admin.command("s2", 'SETQUOTA "" (STORAGE)'), /^s2 BAD/m);
    assert.match(await admin.command("s3", 'SETQUOTA "" STORAGE 10'), /^s3 BAD/m);
    admin.close();
  });

  it("rejects APPEND and COPY past the message limit with NO [OVERQUOTA]; MOVE frees as much as it takes", async () => {
    const user = nextUser();
    await setQuota(user, "MESSAGE 2");
    const raw = await login(user);
    assert.match(await append(raw, "a1", "INBOX", message("one")), /^a1 OK/m);
    assert.match(await append(raw, "a2", "INBOX", message("two")), /^a2 OK/m);
    assert.match(await append(raw, "a3", "INBOX", message("three")), /^a3 NO \[OVERQUOTA\]/m);
    assert.match(await raw.command("s1", "SELECT INBOX"), /^s1 OK/m);
    assert.match(await raw.command("c1", "COPY 1 Archive"), /^c1 NO \[OVERQUOTA\]/m);
    assert.match(await raw.command("m1", "MOVE 1 Archive"), /^m1 OK/m);
    assert.match(await raw.command("g1", 'GETQUOTA ""'), /\(MESSAGE 2 2\)/);
    raw.close();
  });

  it("rejects APPEND past the storage limit with NO [OVERQUOTA]", async () => {
    const user = nextUser();
    await setQuota(user, "STORAGE 4");
    const raw = await login(user);
    assert.match(await append(raw, "a1", "INBOX", message("one", 3000)), /^a1 OK/m);
    assert.match(await append(raw, "a2", "INBOX", message("two", 3000)), /^a2 NO \[OVERQUOTA\]/m);
    raw.close();
  });

  it("counts STORAGE as the sum of every mailbox's STATUS SIZE, and DELETED-STORAGE as what EXPUNGE frees", async () => {
    const user = nextUser();
    await setQuota(user, "STORAGE 1000");
    const raw = await login(user);
    for (const [i, mailbox] of ["INBOX", "INBOX", "Archive", "Drafts"].entries()) {
      assert.match(await append(raw, `a${i}`, mailbox, message(`m${i}`, 700 * (i + 1))), /OK/);
    }
    let totalBytes = 0;
    for (const mailbox of ["INBOX", "Archive", "Drafts", "Sent", "Trash", "Junk"]) {
      const size = /SIZE (\d+)/.exec(await raw.command("st", `STATUS ${mailbox} (SIZE)`));
      totalBytes += Number(size?.[1]);
    }
    const usage = /STORAGE (\d+) 1000/.exec(await raw.command("g1", 'GETQUOTA ""'));
    assert.equal(Number(usage?.[1]), Math.ceil(totalBytes / 1024));

    assert.match(await raw.command("d0", "STATUS INBOX (DELETED-STORAGE)"), /DELETED-STORAGE 0\)/);
    assert.match(await raw.command("s1", "SELECT INBOX"), /^s1 OK/m);
    assert.match(await raw.command("f1", "STORE 2 +FLAGS.SILENT (\\Deleted)"), /^f1 OK/m);
    const second = /RFC822\.SIZE (\d+)/.exec(await raw.command("f2", "FETCH 2 RFC822.SIZE"));
    const deleted = await raw.command("d1", "STATUS INBOX (DELETED DELETED-STORAGE)");
    assert.match(
      deleted,
      new RegExp(`DELETED 1 DELETED-STORAGE ${Math.ceil(Number(second?.[1]) / 1024)}\\)`),
    );
    raw.close();
  });

  it("gives imapflow's getQuota the root's usage and limits", async () => {
    const user = nextUser();
    await setQuota(user, "STORAGE 50 MESSAGE 10");
    const client = imapFlowClient(port, user);
    await client.connect();
    await client.append("INBOX", message("flow", 1500));
    const quota = await client.getQuota("INBOX");
    assert.ok(quota);
    assert.equal(quota.quotaRoot, undefined, 'the root "" is empty, which imapflow leaves out');
    assert.deepEqual(quota.storage, { usage: 2 * 1024, limit: 50 * 1024, status: "4%" });
    // imapflow keys resources by their lower-cased name ("message"), whatever its typings say.
    assert.deepEqual((quota as unknown as Record<string, unknown>).message, {
      usage: 1,
      limit: 10,
      status: "10%",
    });
    await client.logout();
  });
});
