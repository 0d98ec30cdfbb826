import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeSaslBase64, startSaslExchange } from "./sasl-mechanism.js";

describe("SASL PLAIN", () => {
  it("reads authzid, user and password from one response", () => {
    const step = startSaslExchange("PLAIN").step(Buffer.from("\u0000alice@example.test\u0000sesame"));
    assert.deepEqual(step, {
      kind: "credentials",
      credentials: { authzid: "", username: "alice@example.test", password: "sesame" },
    });
  });
  it("asks for the response when there was no initial response", () => {
    assert.equal(startSaslExchange("PLAIN").step(null).kind, "challenge");
  });
  it("refuses a response without the two NULs", () => {
    assert.equal(startSaslExchange("PLAIN").step(Buffer.from("alice sesame")).kind, "malformed");
  });
});

describe("SASL LOGIN", () => {
  it("prompts for user name, then password", () => {
    const exchange = startSaslExchange("LOGIN");
    assert.deepEqual(exchange.step(null), { kind: "challenge", data: Buffer.from("Username:") });
    assert.deepEqual(exchange.step(Buffer.from("alice@example.test")), {
      kind: "challenge",
      data: Buffer.from("Password:"),
    });
    assert.deepEqual(exchange.step(Buffer.from("sesame")), {
      kind: "credentials",
      credentials: { username: "alice@example.test", password: "sesame" },
    });
  });
  it("takes the user name as an initial response", () => {
    const exchange = startSaslExchange("LOGIN");
    assert.equal(exchange.step(Buffer.from("alice")).kind, "challenge");
    assert.equal(exchange.step(Buffer.from("pw")).kind, "credentials");
  });
});

describe("decodeSaslBase64", () => {
  it("decodes strict base64 and '=' as empty", () => {
    assert.deepEqual(decodeSaslBase64("YWJj"), Buffer.from("abc"));
    assert.deepEqual(decodeSaslBase64("="), Buffer.alloc(0));
    assert.equal(decodeSaslBase64("YWJ"), null);
    assert.equal(decodeSaslBase64("Y W J j"), null);
  });
});
