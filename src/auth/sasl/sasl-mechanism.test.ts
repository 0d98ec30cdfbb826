import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isMailError, MailError } from "../../kit/mail-error.js";
import type { AccountRecord } from "../../store/mail-store.js";
import type { Credentials } from "../authenticator.js";
import { JwtVerifier } from "../jwt-verifier.js";
import { deriveScramKeys, hmacSha256, type ScramKeys, sha256 } from "../scram-keys.js";
import { type ChannelBindings, NO_CHANNEL_BINDINGS } from "./channel-binding.js";
import type { SaslServer } from "./sasl-exchange.js";
import { decodeSaslBase64, startSaslExchange } from "./sasl-mechanism.js";

const ALICE = { id: 1, address: "user" } as unknown as AccountRecord;
const isAuthFailed = (error: unknown) => isMailError(error) && error.code === "authFailed";

/** A server that knows one user ("user"/"pencil", the RFC 7677 example) and records what it was asked. */
function fakeServer(keys: ScramKeys | null, bearer?: JwtVerifier): SaslServer & { seen: Credentials[] } {
  const seen: Credentials[] = [];
  return {
    seen,
    async verifyPassword(credentials) {
      seen.push(credentials);
      if (credentials.username === "user" && credentials.password === "pencil") return ALICE;
      throw new MailError("authFailed", "Authentication failed");
    },
    async beginScram(username) {
      const real = username === "user" ? keys : null;
      const decoy = {
        iterations: 4096,
        salt: Buffer.alloc(16, 1),
        storedKey: Buffer.alloc(32),
        serverKey: Buffer.alloc(32),
      };
      return {
        keys: real ?? decoy,
        async finish(isProofValid) {
          if (isProofValid && real) return ALICE;
          throw new MailError("authFailed", "Authentication failed");
        },
      };
    },
    async verifyBearer(token, authzid) {
      const subject = await bearer?.verify(token);
      if (subject === "user" && (authzid === "" || authzid === subject)) return ALICE;
      throw new MailError("authFailed", "Authentication failed");
    },
  };
}

// RFC 7677 §3: user "user", password "pencil", salt and nonces below, 4096 iterations.
const RFC7677 = {
  clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
  serverNonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
  serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  clientFinal:
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};
const rfcKeys = () => deriveScramKeys("pencil", 4096, Buffer.from("W22ZaJ0SNY7soEsUEjb6gQ==", "base64"));

function scram(keys: ScramKeys | null, plus = false, bindings: ChannelBindings = NO_CHANNEL_BINDINGS) {
  return startSaslExchange(plus ? "SCRAM-SHA-256-PLUS" : "SCRAM-SHA-256", {
    server: fakeServer(keys),
    channelBindings: bindings,
    serverNonce: () => RFC7677.serverNonce,
  });
}

/** The client side of the final message for a given gs2 header and channel-binding data. */
function clientFinal(
  keys: ScramKeys,
  salted: Buffer,
  bare: string,
  serverFirst: string,
  cbind: Buffer,
): string {
  const nonce = /r=([^,]+)/.exec(serverFirst)?.[1] as string;
  const withoutProof = `c=${cbind.toString("base64")},r=${nonce}`;
  const authMessage = `${bare},${serverFirst},${withoutProof}`;
  const clientKey = hmacSha256(salted, "Client Key");
  const signature = hmacSha256(sha256(clientKey), authMessage);
  const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] ?? 0)));
  assert.deepEqual(sha256(clientKey), keys.storedKey);
  return `${withoutProof},p=${proof.toString("base64")}`;
}

describe("SASL PLAIN and LOGIN", () => {
  it("PLAIN passes authzid, authcid and password to the server", async () => {
    const server = fakeServer(null);
    const exchange = startSaslExchange("PLAIN", { server, channelBindings: NO_CHANNEL_BINDINGS });
    const step = await exchange.step(Buffer.from("\0user\0pencil"));
    assert.equal(step.kind, "success");
    assert.deepEqual(server.seen, [{ authzid: "", username: "user", password: "pencil" }]);
  });

  it("PLAIN asks for the message when there was no initial response; rejects malformed ones", async () => {
    const make = () =>
      startSaslExchange("PLAIN", { server: fakeServer(null), channelBindings: NO_CHANNEL_BINDINGS });
    assert.equal((await make().step(null)).kind, "challenge");
    assert.equal((await make().step(Buffer.from("only-one-part"))).kind, "malformed");
    assert.equal((await make().step(Buffer.from("\0\0pw"))).kind, "malformed");
    await assert.rejects(make().step(Buffer.from("\0user\0wrong")), isAuthFailed);
  });

  it("LOGIN prompts for user name and password", async () => {
    const exchange = startSaslExchange("LOGIN", {
      server: fakeServer(null),
      channelBindings: NO_CHANNEL_BINDINGS,
    });
    assert.deepEqual(await exchange.step(null), { kind: "challenge", data: Buffer.from("Username:") });
    assert.deepEqual(await exchange.step(Buffer.from("user")), {
      kind: "challenge",
      data: Buffer.from("Password:"),
    });
    assert.equal((await exchange.step(Buffer.from("pencil"))).kind, "success");
  });

  it("decodes strict base64 only", () => {
    assert.deepEqual(decodeSaslBase64("="), Buffer.alloc(0));
    assert.equal(decodeSaslBase64("dXNlcg"), null);
    assert.equal(decodeSaslBase64("dX*lcg=="), null);
  });
});

describe("SASL SCRAM-SHA-256", () => {
  it("derives the RFC 7677 keys and replays its exchange byte for byte", async () => {
    const exchange = scram(await rfcKeys());
    assert.deepEqual(await exchange.step(null), { kind: "challenge", data: Buffer.alloc(0) });
    const first = await exchange.step(Buffer.from(RFC7677.clientFirst));
    assert.equal(first.kind === "challenge" && first.data.toString(), RFC7677.serverFirst);
    const final = await exchange.step(Buffer.from(RFC7677.clientFinal));
    assert.equal(final.kind === "challenge" && final.data.toString(), RFC7677.serverFinal);
    assert.deepEqual(await exchange.step(Buffer.alloc(0)), { kind: "success", account: ALICE });
  });

  it("rejects a wrong proof", async () => {
    const exchange = scram(await rfcKeys());
    await exchange.step(Buffer.from(RFC7677.clientFirst));
    const tampered = RFC7677.clientFinal.replace("p=dHzb", "p=dHzc");
    await assert.rejects(exchange.step(Buffer.from(tampered)), isAuthFailed);
  });

  it("rejects a replayed nonce that is not the one this exchange issued", async () => {
    const exchange = startSaslExchange("SCRAM-SHA-256", {
      server: fakeServer(await rfcKeys()),
      channelBindings: NO_CHANNEL_BINDINGS,
    });
    await exchange.step(Buffer.from(RFC7677.clientFirst));
    await assert.rejects(exchange.step(Buffer.from(RFC7677.clientFinal)), isAuthFailed);
  });

  it("answers an unknown user with a salt, then fails like a wrong password", async () => {
    const exchange = scram(await rfcKeys());
    const first = await exchange.step(Buffer.from("n,,n=nobody,r=abc"));
    assert.match(first.kind === "challenge" ? first.data.toString() : "", /^r=abc.+,s=.+,i=4096$/);
    await assert.rejects(
      exchange.step(Buffer.from(`c=biws,r=abc${RFC7677.serverNonce},p=AAAA`)),
      isAuthFailed,
    );
  });

  it("refuses malformed messages without asking the server", async () => {
    for (const bad of [
      "x,,n=user,r=abc",
      "n,,r=abc",
      "n,,n=us=er,r=abc",
      "n,,m=ext,n=user,r=abc",
      "n,,n=user,r=a,bc",
      "p=tls-unique,,n=user,r=abc",
      "n,,n=user",
      "",
    ]) {
      assert.equal((await scram(await rfcKeys()).step(Buffer.from(bad))).kind, "malformed", bad);
    }
    const exchange = scram(await rfcKeys());
    await exchange.step(Buffer.from(RFC7677.clientFirst));
    assert.equal((await exchange.step(Buffer.from("c=biws,r=x"))).kind, "malformed");
  });

  it("fails a client that claims the server lacks channel binding when it has it (downgrade, RFC 5802 §6)", async () => {
    const keys = await rfcKeys();
    const bindings: ChannelBindings = new Map([["tls-exporter", Buffer.alloc(32, 7)]]);
    const exchange = scram(keys, false, bindings);
    const bare = "n=user,r=rOprNGfwEbeRWgbNEkqO";
    const first = await exchange.step(Buffer.from(`y,,${bare}`));
    const salted = Buffer.from("");
    assert.equal(first.kind, "challenge");
    const serverFirst = first.kind === "challenge" ? first.data.toString() : "";
    const saltedPassword = await (await import("../scram-keys.js")).saltedPassword("pencil", keys.salt, 4096);
    void salted;
    const final = clientFinal(keys, saltedPassword, bare, serverFirst, Buffer.from("y,,"));
    await assert.rejects(exchange.step(Buffer.from(final)), isAuthFailed);
  });
});

describe("SASL SCRAM-SHA-256-PLUS", () => {
  const binding = Buffer.alloc(32, 9);
  const bindings: ChannelBindings = new Map([["tls-exporter", binding]]);
  const { saltedPassword } = {
    saltedPassword: async (keys: ScramKeys) =>
      (await import("../scram-keys.js")).saltedPassword("pencil", keys.salt, 4096),
  };

  async function run(cbData: Buffer) {
    const keys = await rfcKeys();
    const exchange = scram(keys, true, bindings);
    const bare = "n=user,r=clientnonce";
    const header = "p=tls-exporter,,";
    const first = await exchange.step(Buffer.from(header + bare));
    const serverFirst = first.kind === "challenge" ? first.data.toString() : "";
    const final = clientFinal(
      keys,
      await saltedPassword(keys),
      bare,
      serverFirst,
      Buffer.concat([Buffer.from(header), cbData]),
    );
    return exchange.step(Buffer.from(final));
  }

  it("accepts the connection's own tls-exporter binding", async () => {
    const step = await run(binding);
    assert.equal(step.kind, "challenge");
  });

  it("rejects a channel-binding mismatch (a man in the middle's TLS session)", async () => {
    await assert.rejects(run(Buffer.alloc(32, 8)), isAuthFailed);
  });

  it("refuses PLUS without binding, and a binding type the connection lacks", async () => {
    const keys = await rfcKeys();
    assert.equal((await scram(keys, true, bindings).step(Buffer.from("n,,n=user,r=a"))).kind, "malformed");
    assert.equal(
      (await scram(keys, true, bindings).step(Buffer.from("p=tls-unique,,n=user,r=a"))).kind,
      "malformed",
    );
  });
});

describe("SASL OAUTHBEARER", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: "https://issuer.example", aud: "postfach", email: "user", exp: now + 300 };

  function jwt(alg: "RS256" | "ES256", key: KeyObject, payload: object, kid = alg): string {
    const enc = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const input = `${enc({ alg, kid, typ: "JWT" })}.${enc(payload)}`;
    const signature =
      alg === "RS256"
        ? sign("sha256", Buffer.from(input), key)
        : sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
    return `${input}.${signature.toString("base64url")}`;
  }

  async function verifier(): Promise<JwtVerifier> {
    const dir = await mkdtemp(join(tmpdir(), "postfach-jwks-"));
    const jwksPath = join(dir, "jwks.json");
    const keys = [
      { ...rsa.publicKey.export({ format: "jwk" }), kid: "RS256", alg: "RS256", use: "sig" },
      { ...ec.publicKey.export({ format: "jwk" }), kid: "ES256", alg: "ES256", use: "sig" },
    ];
    await writeFile(jwksPath, JSON.stringify({ keys }));
    return new JwtVerifier({ issuer: claims.iss, audience: "postfach", jwksPath, usernameClaim: "email" });
  }

  const message = (token: string, authzid = "user") =>
    Buffer.from(`n,a=${authzid},\x01host=mail.example\x01port=993\x01auth=Bearer ${token}\x01\x01`);

  it("accepts RS256 and ES256 tokens from the configured issuer", async () => {
    const bearer = await verifier();
    for (const token of [jwt("RS256", rsa.privateKey, claims), jwt("ES256", ec.privateKey, claims)]) {
      const exchange = startSaslExchange("OAUTHBEARER", {
        server: fakeServer(null, bearer),
        channelBindings: NO_CHANNEL_BINDINGS,
      });
      assert.equal((await exchange.step(message(token))).kind, "success");
    }
  });

  it("answers invalid tokens with the RFC 7628 error challenge, then fails", async () => {
    const bearer = await verifier();
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
    for (const token of [
      jwt("RS256", rsa.privateKey, { ...claims, exp: now - 3600 }),
      jwt("RS256", rsa.privateKey, { ...claims, iss: "https://evil.example" }),
      jwt("RS256", rsa.privateKey, { ...claims, aud: "other" }),
      jwt("RS256", other.privateKey, claims),
      `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`,
    ]) {
      const exchange = startSaslExchange("OAUTHBEARER", {
        server: fakeServer(null, bearer),
        channelBindings: NO_CHANNEL_BINDINGS,
      });
      const step = await exchange.step(message(token));
      assert.equal(step.kind, "challenge");
      assert.equal(step.kind === "challenge" && JSON.parse(step.data.toString()).status, "invalid_token");
      await assert.rejects(exchange.step(Buffer.from("\x01")), isAuthFailed);
    }
  });

  it("fails a token for another user than the authzid, and refuses malformed messages", async () => {
    const bearer = await verifier();
    const exchange = startSaslExchange("OAUTHBEARER", {
      server: fakeServer(null, bearer),
      channelBindings: NO_CHANNEL_BINDINGS,
    });
    assert.equal(
      (await exchange.step(message(jwt("RS256", rsa.privateKey, claims), "admin"))).kind,
      "challenge",
    );
    const malformed = startSaslExchange("OAUTHBEARER", {
      server: fakeServer(null, bearer),
      channelBindings: NO_CHANNEL_BINDINGS,
    });
    assert.equal((await malformed.step(Buffer.from("n,,auth=Bearer x"))).kind, "malformed");
  });
});
