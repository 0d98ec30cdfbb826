import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { describeStoredHash, needsRehash, verifyPassword } from "../password-hash.js";
import { parseImportedHash, verifyImportedHash } from "./imported-hash.js";
import { shaCrypt } from "./sha-crypt.js";

interface Fixture {
  readonly password: string;
  readonly hash: string;
  readonly source: string;
}
// Reference hashes made by doveadm pw, openssl passwd and python3's crypt (see the file's "source").
const FIXTURES = JSON.parse(
  readFileSync(new URL("../../../../src/auth/fixtures/imported-hashes.json", import.meta.url), "utf8"),
) as { hashes: Fixture[] };

describe("imported password hashes", () => {
  for (const fixture of FIXTURES.hashes) {
    it(`verifies ${fixture.source}: ${fixture.hash.slice(0, 24)}…`, async () => {
      const parsed = parseImportedHash(fixture.hash);
      assert.ok(parsed, "recognised");
      assert.equal(await verifyImportedHash(fixture.password, parsed), true);
      assert.equal(await verifyImportedHash(`${fixture.password}!`, parsed), false);
      assert.equal(await verifyPassword(fixture.password, fixture.hash), true);
      assert.equal(describeStoredHash(fixture.hash).kind, "imported");
      assert.equal(needsRehash(fixture.hash), true);
    });
  }

  it("matches the SHA-crypt specification's own vectors", () => {
    const hello = Buffer.from("Hello world!");
    assert.equal(
      shaCrypt(hello, "saltstring", "5"),
      "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5",
    );
    assert.equal(
      shaCrypt(hello, "saltstringsaltstring", "6", 10000),
      "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.",
    );
  });

  it("refuses unknown schemes and hashes whose cost would stall a login (DoS through an imported record)", () => {
    assert.equal(parseImportedHash("{MD5}xyz"), null);
    assert.equal(parseImportedHash("{PLAIN}secret"), null);
    assert.equal(parseImportedHash(`$6$rounds=999999999$salt$${"a".repeat(86)}`), null);
    assert.equal(parseImportedHash(`$2y$31$${"a".repeat(53)}`), null);
    assert.equal(
      parseImportedHash("{ARGON2ID}$argon2id$v=19$m=4194304,t=3,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA"),
      null,
    );
    assert.equal(parseImportedHash("{SSHA512}c2hvcnQ="), null);
    assert.equal(describeStoredHash("{MD5}xyz").kind, "invalid");
  });

  it("answers false, not an exception, for a broken imported record", async () => {
    assert.equal(await verifyPassword("x", "{SHA512-CRYPT}$6$salt$short"), false);
  });
});
