// A domain without a row of its own is local when an account has it, asked at every RCPT: the question
// must be answered from the accounts_by_domain index, not by scanning every account.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import type { MailStore } from "../mail-store.js";
import { ACCOUNTS_IN_DOMAIN_SQL } from "./sqlite-domains.js";
import { openSqliteStore } from "./sqlite-store.js";

const NO_QUOTA = { storageBytes: null, messages: null };

describe("accounts by domain (sqlite)", () => {
  let dataDir: string;
  let store: MailStore;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "postfach-domains-"));
    store = await openSqliteStore({ dataDir });
    for (let i = 0; i < 50; i++) {
      await store.accounts.create({
        address: `user${i}@accounts-only.example`,
        passwordHash: "x",
        quota: NO_QUOTA,
      });
    }
    await store.accounts.create({ address: "other@elsewhere.example", passwordHash: "x", quota: NO_QUOTA });
  });

  after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("finds a domain held only by accounts, and not another", async () => {
    assert.equal(await store.domains.isLocalDomain("ACCOUNTS-ONLY.example"), true);
    assert.equal(await store.domains.isLocalDomain("elsewhere.example"), true);
    assert.equal(await store.domains.isLocalDomain("nowhere.example"), false);
  });

  it("answers from the index", () => {
    const db = new Database(join(dataDir, "postfach.db"), { readonly: true });
    try {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${ACCOUNTS_IN_DOMAIN_SQL}`).all("accounts-only.example");
      const details = plan.map((step) => (step as { detail: string }).detail).join("\n");
      assert.match(details, /USING COVERING INDEX accounts_by_domain|USING INDEX accounts_by_domain/);
      assert.doesNotMatch(details, /SCAN accounts\b(?! USING)/);
      const count = db.prepare(ACCOUNTS_IN_DOMAIN_SQL).get("accounts-only.example") as { n: number };
      assert.equal(count.n, 50);
    } finally {
      db.close();
    }
  });
});
