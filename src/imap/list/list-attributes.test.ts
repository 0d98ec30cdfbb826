import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { collectMailboxFacts, compareMailboxNames, listAttributes } from "./list-attributes.js";
import { selectListNames, selectLsubNames } from "./mailbox-listing.js";
import { compileMailboxPattern } from "./mailbox-pattern.js";

const facts = collectMailboxFacts(
  [
    { name: "INBOX", specialUse: null },
    { name: "Drafts", specialUse: "\\Drafts" },
    { name: "Work", specialUse: null },
    { name: "Work/Project", specialUse: null },
    { name: "Work/Project/Old", specialUse: "\\Archive" },
    { name: "Orphan/Child", specialUse: null },
  ],
  ["INBOX", "Work/Project", "Gone", "Gone2/Below"],
);
const plain = { isExtended: false, includeSubscribed: false, includeChildren: true, includeSpecialUse: true };
const extended = {
  isExtended: true,
  includeSubscribed: true,
  includeChildren: true,
  includeSpecialUse: false,
};
const patterns = (...p: string[]) => p.map((x) => compileMailboxPattern("", x));
const none = { subscribed: false, specialUse: false, recursiveMatch: false };

describe("list attributes", () => {
  it("says whether a mailbox has children", () => {
    assert.deepEqual(listAttributes("Work", facts, plain), ["\\HasChildren"]);
    assert.deepEqual(listAttributes("INBOX", facts, plain), ["\\HasNoChildren"]);
  });

  it("adds special uses when asked", () => {
    assert.deepEqual(listAttributes("Drafts", facts, plain), ["\\HasNoChildren", "\\Drafts"]);
    assert.deepEqual(listAttributes("Drafts", facts, extended), ["\\HasNoChildren"]);
  });

  it("marks missing names \\Noselect in plain LIST and \\NonExistent in extended LIST", () => {
    assert.deepEqual(listAttributes("Orphan", facts, plain), ["\\Noselect", "\\HasChildren"]);
    assert.deepEqual(listAttributes("Gone", facts, extended), ["\\Subscribed", "\\NonExistent"]);
  });

  it("adds \\Subscribed when asked", () => {
    assert.deepEqual(listAttributes("Work/Project", facts, extended), ["\\Subscribed", "\\HasChildren"]);
    assert.deepEqual(listAttributes("Work", facts, extended), ["\\HasChildren"]);
  });

  it("orders INBOX first, then the tree depth-first", () => {
    const names = ["b", "a b", "a/c", "INBOX/x", "a", "INBOX", "A"];
    assert.deepEqual(names.sort(compareMailboxNames), ["INBOX", "INBOX/x", "A", "a", "a/c", "a b", "b"]);
  });
});

describe("list selection", () => {
  it("lists existing mailboxes and missing parents", () => {
    const names = selectListNames(facts, patterns("*"), none).map((n) => n.name);
    assert.deepEqual(names, [
      "INBOX",
      "Drafts",
      "Orphan",
      "Orphan/Child",
      "Work",
      "Work/Project",
      "Work/Project/Old",
    ]);
    assert.deepEqual(
      selectListNames(facts, patterns("%"), none).map((n) => n.name),
      ["INBOX", "Drafts", "Orphan", "Work"],
    );
  });

  it("selects subscribed names, existing or not", () => {
    const listed = selectListNames(facts, patterns("*"), { ...none, subscribed: true });
    assert.deepEqual(
      listed.map((n) => n.name),
      ["INBOX", "Gone", "Gone2/Below", "Work/Project"],
    );
  });

  it("with RECURSIVEMATCH returns parents of unreturned subscribed names with CHILDINFO", () => {
    const listed = selectListNames(facts, patterns("%"), { ...none, subscribed: true, recursiveMatch: true });
    assert.deepEqual(listed, [
      { name: "INBOX", childInfo: [], meetsSelection: true },
      { name: "Gone", childInfo: [], meetsSelection: true },
      { name: "Gone2", childInfo: ["SUBSCRIBED"], meetsSelection: false },
      { name: "Work", childInfo: ["SUBSCRIBED"], meetsSelection: false },
    ]);
    // With "*" every subscribed child is returned itself: the parents are not needed.
    const all = selectListNames(facts, patterns("*"), { ...none, subscribed: true, recursiveMatch: true });
    assert.deepEqual(
      all.map((n) => n.name),
      ["INBOX", "Gone", "Gone2/Below", "Work/Project"],
    );
  });

  it("selects special-use mailboxes", () => {
    const listed = selectListNames(facts, patterns("*"), { ...none, specialUse: true });
    assert.deepEqual(
      listed.map((n) => n.name),
      ["Drafts", "Work/Project/Old"],
    );
    const recursive = selectListNames(facts, patterns("%"), {
      ...none,
      specialUse: true,
      recursiveMatch: true,
    });
    assert.deepEqual(recursive.at(-1), { name: "Work", childInfo: ["SPECIAL-USE"], meetsSelection: false });
  });

  it("lists a name once when several patterns match it", () => {
    const listed = selectListNames(facts, patterns("INBOX", "*"), none);
    assert.equal(listed.filter((n) => n.name === "INBOX").length, 1);
  });
});

describe("LSUB selection", () => {
  it("returns subscribed names and, for a trailing %, their parents", () => {
    assert.deepEqual(selectLsubNames(facts, compileMailboxPattern("", "*")), [
      { name: "INBOX", isParentOnly: false },
      { name: "Gone", isParentOnly: false },
      { name: "Gone2/Below", isParentOnly: false },
      { name: "Work/Project", isParentOnly: false },
    ]);
    assert.deepEqual(selectLsubNames(facts, compileMailboxPattern("", "%")), [
      { name: "INBOX", isParentOnly: false },
      { name: "Gone", isParentOnly: false },
      { name: "Gone2", isParentOnly: true },
      { name: "Work", isParentOnly: true },
    ]);
    assert.deepEqual(selectLsubNames(facts, compileMailboxPattern("Work/", "%")), [
      { name: "Work/Project", isParentOnly: false },
    ]);
  });
});
