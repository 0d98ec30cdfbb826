import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hashPassword, verifyPassword } from "./password-hash.js";

const FAST = { ln: 4, r: 8, p: 1 };

describe("password hashing", () => {
  it("produces a PHC scrypt string that verifies only the right password", async () => {
    const hash = await hashPassword("correct horse", FAST);
    assert.match(hash, /^\$scrypt\$ln=4,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    assert.equal(await verifyPassword("correct horse", hash), true);
    assert.equal(await verifyPassword("correct horsf", hash), false);
    assert.equal(await verifyPassword("", hash), false);
  });

  it("salts every hash", async () => {
    assert.notEqual(await hashPassword("same", FAST), await hashPassword("same", FAST));
  });

  it("treats Unicode passwords by their NFC form", async () => {
    const hash = await hashPassword("P\u00e4sswort", FAST);
    assert.equal(await verifyPassword("Pa\u0308sswort", hash), true);
  });

  it("answers false for a missing or malformed hash instead of throwing", async () => {
    assert.equal(await verifyPassword("x", null), false);
    assert.equal(await verifyPassword("x", "plain"), false);
    assert.equal(await verifyPassword("x", "$scrypt$ln=99,r=8,p=1$AAAA$AAAA"), false);
  });
});
