import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { MailStore } from "../store/mail-store.js";
import { openSqliteStore } from "../store/sqlite/sqlite-store.js";
import { type AddressPolicy, AddressResolver, type Resolution } from "./address-resolution.js";

const POLICY: AddressPolicy = {
  recipientDelimiter: "+",
  detailToFolder: false,
  localPartCaseSensitive: false,
};
const NO_QUOTA = { passwordHash: "x", quota: { storageBytes: null, messages: null } };

describe("AddressResolver", () => {
  let dataDir: string;
  let store: MailStore;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "postfach-resolve-"));
    store = await openSqliteStore({ dataDir });
    await store.domains.addDomain("example.test");
    await store.domains.addDomain("other.test");
    await store.accounts.create({ address: "alice@example.test", ...NO_QUOTA });
    await store.accounts.create({ address: "bob@example.test", ...NO_QUOTA });
    await store.domains.addAliasTarget("team@example.test", "alice@example.test");
    await store.domains.addAliasTarget("team@example.test", "bob@example.test");
    await store.domains.addAliasTarget("everyone@example.test", "team@example.test");
    await store.domains.addAliasTarget("everyone@example.test", "alice@example.test");
    await store.domains.addAliasTarget("loop1@example.test", "loop2@example.test");
    await store.domains.addAliasTarget("loop2@example.test", "loop1@example.test");
    await store.domains.addAliasTarget("outside@example.test", "someone@elsewhere.example");
    await store.domains.setCatchAll("other.test", "bob@example.test");
  });
  after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const addresses = (r: Resolution) =>
    r.kind === "local" ? r.targets.map((t) => `${t.accountAddress}:${t.folder}`) : r.kind;

  it("finds accounts with the domain in any case, and the local part case-insensitively by default", async () => {
    const resolver = new AddressResolver(store, POLICY);
    assert.deepEqual(addresses(await resolver.resolve("Alice@EXAMPLE.Test")), ["alice@example.test:null"]);
    assert.deepEqual(addresses(await resolver.resolve("nobody@example.test")), "unknownUser");
    assert.deepEqual(addresses(await resolver.resolve("alice@elsewhere.example")), "notLocal");
  });

  it("with case-sensitive local parts, only the stored spelling matches", async () => {
    const resolver = new AddressResolver(store, { ...POLICY, localPartCaseSensitive: true });
    assert.deepEqual(addresses(await resolver.resolve("alice@EXAMPLE.test")), ["alice@example.test:null"]);
    assert.equal(addresses(await resolver.resolve("Alice@example.test")), "unknownUser");
  });

  it("expands aliases to several accounts, through nested aliases, without duplicates", async () => {
    const resolver = new AddressResolver(store, POLICY);
    assert.deepEqual(addresses(await resolver.resolve("team@example.test")), [
      "alice@example.test:null",
      "bob@example.test:null",
    ]);
    assert.deepEqual(addresses(await resolver.resolve("everyone@example.test")), [
      "alice@example.test:null",
      "bob@example.test:null",
    ]);
  });

  it("alias loop: mutually referencing aliases resolve to nobody instead of spinning", async () => {
    const resolver = new AddressResolver(store, POLICY);
    assert.equal(addresses(await resolver.resolve("loop1@example.test")), "unknownUser");
  });

  it("never relays: an alias whose only target is remote delivers to nobody", async () => {
    const resolver = new AddressResolver(store, POLICY);
    assert.equal(addresses(await resolver.resolve("outside@example.test")), "unknownUser");
  });

  it("sends unknown local parts of a domain with a catch-all there", async () => {
    const resolver = new AddressResolver(store, POLICY);
    assert.deepEqual(addresses(await resolver.resolve("anything@other.test")), ["bob@example.test:null"]);
  });

  it("sub-addressing: alice+tag goes to alice, with the folder only when configured", async () => {
    assert.deepEqual(addresses(await new AddressResolver(store, POLICY).resolve("alice+news@example.test")), [
      "alice@example.test:null",
    ]);
    const withFolder = new AddressResolver(store, { ...POLICY, detailToFolder: true });
    assert.deepEqual(addresses(await withFolder.resolve("alice+News@example.test")), [
      "alice@example.test:News",
    ]);
    assert.deepEqual(addresses(await withFolder.resolve("team+x@example.test")), [
      "alice@example.test:x",
      "bob@example.test:x",
    ]);
    const off = new AddressResolver(store, { ...POLICY, recipientDelimiter: "" });
    assert.equal(addresses(await off.resolve("alice+news@example.test")), "unknownUser");
    const dash = new AddressResolver(store, { ...POLICY, recipientDelimiter: "-" });
    assert.deepEqual(addresses(await dash.resolve("alice-news@example.test")), ["alice@example.test:null"]);
  });
});
