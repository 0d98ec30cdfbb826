import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ALL_RIGHTS,
  applyModification,
  canAskRights,
  canonicalRights,
  canSeeMailbox,
  effectiveRights,
  formatRights,
  isReadOnlyWith,
  mailboxRightsFlags,
  parseRights,
  parseRightsModification,
  permittedFlags,
  type Right,
} from "./rights.js";

const set = (letters: string) => new Set([...letters] as Right[]);

describe("RFC 4314 rights", () => {
  it("parses standard rights and expands c to kx and d to et (§2.1.1)", () => {
    assert.equal(canonicalRights(parseRights("lrswida") ?? new Set()), "lrswitea");
    assert.equal(canonicalRights(parseRights("c") ?? new Set()), "kx");
    assert.equal(canonicalRights(parseRights("d") ?? new Set()), "te");
    assert.equal(canonicalRights(parseRights("") ?? new Set(["a"])), "");
  });

  it("refuses unknown and upper-case rights instead of ignoring them (§3.1)", () => {
    assert.equal(parseRights("lrQs"), null);
    assert.equal(parseRights("lrqs"), null);
    assert.equal(parseRights("0"), null);
    assert.equal(parseRightsModification("+z"), null);
  });

  it("formats with c and d whenever one of their members is held", () => {
    assert.equal(formatRights(ALL_RIGHTS), "lrswipkxteacd");
    assert.equal(formatRights(set("lrk")), "lrkc");
    assert.equal(formatRights(set("lrt")), "lrtd");
    assert.equal(formatRights(set("lrs")), "lrs");
    assert.equal(formatRights(set("")), "");
  });

  it("applies +, - and replacing modifications", () => {
    const current = set("lrs");
    const add = parseRightsModification("+wd");
    const remove = parseRightsModification("-sr");
    const replace = parseRightsModification("lrwi");
    assert.ok(add && remove && replace);
    assert.equal(canonicalRights(applyModification(current, add)), "lrswte");
    assert.equal(canonicalRights(applyModification(current, remove)), "l");
    assert.equal(canonicalRights(applyModification(current, replace)), "lrwi");
  });

  it("gives the owner everything and others the union of their entries and anyone's", () => {
    const acl = [
      { identifier: "bob@example.test", rights: "lr" },
      { identifier: "anyone", rights: "s" },
      { identifier: "carol@example.test", rights: "lrswipkxtea" },
    ];
    assert.equal(canonicalRights(effectiveRights(true, "alice@example.test", [])), "lrswipkxtea");
    assert.equal(canonicalRights(effectiveRights(false, "Bob@Example.test", acl)), "lrs");
    assert.equal(canonicalRights(effectiveRights(false, "dave@example.test", acl)), "s");
  });

  it("decides visibility, MYRIGHTS and READ-ONLY as §4, §5.2 and §6 say", () => {
    assert.equal(canSeeMailbox(set("l")), true);
    assert.equal(canSeeMailbox(set("r")), true);
    assert.equal(canSeeMailbox(set("iswte")), false);
    assert.equal(canAskRights(set("i")), true);
    assert.equal(canAskRights(set("swtep")), false);
    assert.equal(isReadOnlyWith(set("lr")), true);
    assert.equal(isReadOnlyWith(set("lrs")), false);
    assert.equal(isReadOnlyWith(set("lri")), false);
  });

  it("keeps only the flags the rights allow: s for \\Seen, t for \\Deleted, w for the rest", () => {
    const flags = { system: new Set(["\\Seen", "\\Deleted", "\\Draft"] as const), keywords: ["$Forwarded"] };
    const only = (letters: string) => {
      const kept = permittedFlags(flags, set(letters));
      return [...kept.system, ...kept.keywords].sort();
    };
    assert.deepEqual(only("rwis"), ["$Forwarded", "\\Draft", "\\Seen"]);
    assert.deepEqual(only("rsti"), ["\\Deleted", "\\Seen"]);
    assert.deepEqual(only("ri"), []);
  });

  it("maps rights to JMAP myRights as RFC 8621 §2 says (lr read, te remove, x rename and delete)", () => {
    const all = mailboxRightsFlags(ALL_RIGHTS, false);
    assert.ok(Object.values(all).every((value) => value === true));
    const inbox = mailboxRightsFlags(ALL_RIGHTS, true);
    assert.equal(inbox.mayRename, false);
    assert.equal(inbox.mayDelete, false);
    assert.equal(inbox.mayReadItems, true);
    const cases: [string, keyof ReturnType<typeof mailboxRightsFlags>, boolean][] = [
      ["lr", "mayReadItems", true],
      ["l", "mayReadItems", false],
      ["r", "mayReadItems", false],
      ["i", "mayAddItems", true],
      ["t", "mayRemoveItems", false],
      ["te", "mayRemoveItems", true],
      ["s", "maySetSeen", true],
      ["w", "maySetKeywords", true],
      ["k", "mayCreateChild", true],
      ["x", "mayRename", true],
      ["x", "mayDelete", true],
      ["p", "maySubmit", true],
      ["lrswiktea", "maySubmit", false],
    ];
    for (const [letters, flag, expected] of cases) {
      assert.equal(mailboxRightsFlags(set(letters), false)[flag], expected, `${letters} ${flag}`);
    }
    assert.ok(Object.values(mailboxRightsFlags(set(""), false)).every((value) => value === false));
  });
});
