import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAddressList } from "./address.js";

describe("parseAddressList (RFC 5322 §3.4)", () => {
  it("parses name-addr, addr-spec and comments", () => {
    assert.deepEqual(parseAddressList('"Doe, John" <john@example.com>, jane@example.com (Jane Roe)'), [
      { kind: "mailbox", name: "Doe, John", route: null, mailbox: "john", host: "example.com" },
      { kind: "mailbox", name: "Jane Roe", route: null, mailbox: "jane", host: "example.com" },
    ]);
  });

  it("keeps encoded-words raw and joins phrase words with one space", () => {
    const [first] = parseAddressList("=?utf-8?q?J=C3=B6rg?=   Meier <j@x.de>");
    assert.equal(first?.kind === "mailbox" ? first.name : null, "=?utf-8?q?J=C3=B6rg?= Meier");
  });

  it("parses groups, empty groups and obsolete routes", () => {
    assert.deepEqual(parseAddressList("undisclosed-recipients:;"), [
      { kind: "group", name: "undisclosed-recipients", members: [] },
    ]);
    const [group, after] = parseAddressList("Team: a@x.org, B <b@x.org>;, c@x.org");
    assert.equal(group?.kind === "group" ? group.members.length : -1, 2);
    assert.equal(after?.kind === "mailbox" ? after.mailbox : "", "c");
    assert.deepEqual(parseAddressList("<@r1.example,@r2.example:user@host.example>"), [
      {
        kind: "mailbox",
        name: null,
        route: "@r1.example,@r2.example",
        mailbox: "user",
        host: "host.example",
      },
    ]);
  });

  it("fills Dovecot's placeholders for missing parts", () => {
    assert.deepEqual(parseAddressList("localonly"), [
      { kind: "mailbox", name: null, route: null, mailbox: "localonly", host: "MISSING_DOMAIN" },
    ]);
    assert.deepEqual(parseAddressList('"Name only" <>'), [
      { kind: "mailbox", name: "Name only", route: null, mailbox: "MISSING_MAILBOX", host: "MISSING_DOMAIN" },
    ]);
  });

  it("handles domain literals, quoted local parts and junk without throwing", () => {
    assert.deepEqual(parseAddressList('"odd local"@[192.0.2.1]'), [
      { kind: "mailbox", name: null, route: null, mailbox: "odd local", host: "[192.0.2.1]" },
    ]);
    for (const junk of [
      "",
      ",,,",
      "<<<>>>",
      ")(",
      "a@b@c",
      '"unterminated',
      "(unterminated",
      "x:y:z;;",
      "]",
    ]) {
      assert.ok(Array.isArray(parseAddressList(junk)));
    }
    assert.deepEqual(parseAddressList("you@example.com continued@example.com")[0], {
      kind: "mailbox",
      name: null,
      route: null,
      mailbox: "you",
      host: "example.com",
    });
  });
});
