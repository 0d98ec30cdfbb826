// Fuzz of the I/O-free parsers that face the network (issue 6 acceptance): the POP3 line reader and
// command parser (RFC 1939), the SMTP/LMTP reader and command parser (RFC 5321), the SASL decoders
// (RFC 4616, 5802/7677, 7628) and the PROXY protocol parser. Each returns only its typed results or
// errors, whatever the bytes and wherever the network splits them; saved inputs are replayed first.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { ChannelBindingType } from "../src/auth/sasl/channel-binding.js";
import type { SaslServer, SaslStep } from "../src/auth/sasl/sasl-exchange.js";
import {
  decodeSaslBase64,
  parseMechanismName,
  SASL_MECHANISMS,
  startSaslExchange,
} from "../src/auth/sasl/sasl-mechanism.js";
import { decodeSaslName } from "../src/auth/sasl/scram-sha-256.js";
import { isMailError, MailError } from "../src/kit/mail-error.js";
import { parseProxyHeader } from "../src/net/proxy-protocol.js";
import { LineReader } from "../src/pop3/wire/line-reader.js";
import { POP3_COMMAND_NAMES, parsePop3Command } from "../src/pop3/wire/pop3-command.js";
import { parseCommand } from "../src/smtp/wire/smtp-command.js";
import { SmtpReader } from "../src/smtp/wire/smtp-reader.js";
import { fuzzParameters, loadCorpus, splitAt } from "./helpers/fuzz-corpus.js";

const cuts = fc.array(fc.nat(), { maxLength: 6 });
/** Arbitrary bytes mixed with fragments of the protocol at hand, so inputs get past the first check. */
function shaped(fragments: readonly string[], maxLength = 24): fc.Arbitrary<Buffer> {
  return fc
    .array(
      fc.oneof(
        fc.constantFrom(...fragments).map((text) => Buffer.from(text, "utf8")),
        fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes)),
        fc.string({ maxLength: 12, unit: "grapheme" }).map((text) => Buffer.from(text, "utf8")),
      ),
      { maxLength },
    )
    .map((parts) => Buffer.concat(parts));
}

// --- POP3 -------------------------------------------------------------------------------------------
const POP3_MAX_LINE = 255;
const POP3_FRAGMENTS = [
  "USER ",
  "PASS ",
  "APOP ",
  "AUTH ",
  "AUTH PLAIN ",
  "CAPA",
  "STLS",
  "UTF8",
  "STAT",
  "LIST ",
  "RETR ",
  "DELE ",
  "NOOP",
  "RSET",
  "QUIT",
  "TOP ",
  "UIDL ",
  "1",
  "0",
  "-1",
  "4294967296",
  "99999999999",
  " ",
  "\r\n",
  "\n",
  "\r",
  "\u0000",
  "=",
  "*",
  "\u00e4",
];

function checkPop3(bytes: Buffer, at: readonly number[]): void {
  const reader = new LineReader(POP3_MAX_LINE);
  for (const chunk of splitAt(bytes, at)) {
    reader.feed(chunk);
    for (let event = reader.next(); event !== null; event = reader.next()) {
      if (event.kind === "tooLong") continue;
      assert.equal(event.kind, "line");
      assert.ok(event.bytes.length <= POP3_MAX_LINE, "a line longer than the limit got through");
      assert.equal(event.bytes.indexOf(0x0a), -1);
      for (const text of [event.bytes.toString("utf8"), event.bytes.toString("latin1")]) {
        const parsed = parsePop3Command(text);
        assert.ok(["command", "unknown", "syntaxError"].includes(parsed.kind));
        if (parsed.kind === "command") {
          assert.ok(POP3_COMMAND_NAMES.has(parsed.command.name));
          for (const value of Object.values(parsed.command)) {
            if (typeof value === "number") assert.ok(Number.isSafeInteger(value) && value >= 0, text);
          }
        }
      }
    }
    assert.ok(reader.bufferedBytes <= bytes.length);
  }
}

// --- SMTP / LMTP ------------------------------------------------------------------------------------
const SMTP_MAX_LINE = 512;
const SMTP_FRAGMENTS = [
  "EHLO ",
  "HELO ",
  "LHLO ",
  "MAIL FROM:",
  "RCPT TO:",
  "<",
  ">",
  "<>",
  "@",
  "a@example.test",
  '"a b"@x',
  " SIZE=",
  " BODY=8BITMIME",
  " SMTPUTF8",
  " NOTIFY=SUCCESS",
  "=",
  "DATA",
  "RSET",
  "NOOP",
  "QUIT",
  "STARTTLS",
  "VRFY ",
  "EXPN ",
  "HELP",
  "\r\n",
  "\n",
  "\r",
  ".\r\n",
  "\r\n.\r\n",
  "\n.\n",
  "..",
  "\u0000",
  "\u00e9",
  "\\",
  "[127.0.0.1]",
  "[IPv6:::1]",
  "99999999999999999999",
];
const SMTP_VERBS = new Set([
  "HELO",
  "EHLO",
  "LHLO",
  "MAIL",
  "RCPT",
  "DATA",
  "RSET",
  "NOOP",
  "QUIT",
  "STARTTLS",
  "HELP",
  "VRFY",
  "EXPN",
  "unknown",
  "syntaxError",
]);

function checkSmtp(bytes: Buffer, at: readonly number[]): void {
  const reader = new SmtpReader(SMTP_MAX_LINE);
  for (const chunk of splitAt(bytes, at)) {
    reader.push(chunk);
    for (let event = reader.next(); event !== undefined; event = reader.next()) {
      if (event.kind === "line") {
        assert.ok(event.line.length <= SMTP_MAX_LINE, "a line longer than the limit got through");
        const command = parseCommand(event.line);
        assert.ok(SMTP_VERBS.has(command.verb), command.verb);
        if (command.verb === "DATA") reader.beginData();
      } else {
        assert.ok(["lineTooLong", "data", "dataEnd"].includes(event.kind));
      }
    }
  }
}

// --- SASL -------------------------------------------------------------------------------------------
const authFailed = () => new MailError("authFailed", "Authentication failed");
const NOBODY: SaslServer = {
  verifyPassword: () => Promise.reject(authFailed()),
  beginScram: async () => ({
    keys: {
      iterations: 4096,
      salt: Buffer.alloc(16, 1),
      storedKey: Buffer.alloc(32),
      serverKey: Buffer.alloc(32),
    },
    finish: () => Promise.reject(authFailed()),
  }),
  verifyBearer: () => Promise.reject(authFailed()),
};
const SERVER_NONCE = "srvnonce";
const BINDINGS = new Map<ChannelBindingType, Buffer>([["tls-unique", Buffer.alloc(12, 7)]]);

/** One exchange: each response (null = none) in turn; only typed steps or authFailed may come back. */
async function checkSasl(mechanism: string, responses: readonly (Buffer | null)[]): Promise<void> {
  const name = parseMechanismName(mechanism);
  if (name === null) return;
  for (const bindings of [new Map<ChannelBindingType, Buffer>(), BINDINGS]) {
    const exchange = startSaslExchange(name, {
      server: NOBODY,
      channelBindings: bindings,
      serverNonce: () => SERVER_NONCE,
    });
    for (const response of responses) {
      let step: SaslStep;
      try {
        step = await exchange.step(response);
      } catch (error) {
        assert.ok(isMailError(error) && error.code === "authFailed", `${name} threw ${String(error)}`);
        break;
      }
      assert.ok(["challenge", "malformed"].includes(step.kind), `${name}: ${step.kind}`);
      assert.ok(step.kind !== "challenge" || Buffer.isBuffer(step.data));
    }
  }
}

const SCRAM_FRAGMENTS = [
  "n,,",
  "y,,",
  "p=tls-unique,,",
  "p=tls-exporter,,",
  "p=,,",
  "n,a=user,",
  "n,a=us=2Cer,",
  "n=user",
  "n=us=3Der",
  "n==",
  ",r=",
  "clientnonce",
  `clientnonce${SERVER_NONCE}`,
  ",m=ext",
  "c=biws",
  "c=eSws",
  ",p=",
  "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  ",",
  "=",
  "=2C",
  "=3D",
  "\u0000",
  "\u00e4",
];
const OAUTH_FRAGMENTS = [
  "n,",
  "a=user@example.test",
  ",",
  "\u0001",
  "auth=Bearer ",
  "auth=bearer ",
  "host=x",
  "port=993",
  "eyJhbGciOiJSUzI1NiJ9.e30.sig",
  "=2C",
  "=3D",
  "y,",
  "\u0000",
];
const response = fc.oneof(
  fc.constant(null),
  shaped([...SCRAM_FRAGMENTS, ...OAUTH_FRAGMENTS, "\u0000", "user", "pencil"], 12),
);

/** Corpus format: line 1 the mechanism, then one response per line in base64 ("-" for none). */
function parseSaslCorpus(bytes: Buffer): { mechanism: string; responses: (Buffer | null)[] } {
  const [mechanism = "", ...lines] = bytes.toString("latin1").split(/\r?\n/);
  const responses = lines
    .filter((line) => line !== "")
    .map((line) => (line === "-" ? null : Buffer.from(line, "base64")));
  return { mechanism, responses };
}

// --- PROXY protocol ---------------------------------------------------------------------------------
const V2_SIGNATURE = "\r\n\r\n\u0000\r\nQUIT\n";
const PROXY_FRAGMENTS = [
  "PROXY ",
  "TCP4 ",
  "TCP6 ",
  "UNKNOWN",
  "192.0.2.1 ",
  "203.0.113.7 ",
  "::1 ",
  "2001:db8::1 ",
  "256.1.1.1 ",
  "56324 ",
  "993",
  "65536",
  "0",
  "\r\n",
  "\n",
  " ",
  V2_SIGNATURE,
  "\u0021",
  "\u0020",
  "\u0011",
  "\u0021",
  "\u0000\u000c",
  "\u0000\u0024",
  "\u00ff\u00ff",
  "\u0001\u0000\u0004",
];
const KINDS = new Set(["incomplete", "invalid", "header"]);

function checkProxy(bytes: Buffer): void {
  const result = parseProxyHeader(bytes);
  assert.ok(KINDS.has(result.kind));
  if (result.kind === "header") {
    assert.ok(result.headerBytes > 0 && result.headerBytes <= bytes.length);
    // The header alone parses to the same thing: nothing after it was read.
    assert.deepEqual(parseProxyHeader(bytes.subarray(0, result.headerBytes)), result);
  }
  // Every prefix (what arrives first) is a typed answer too.
  for (let end = 0; end < Math.min(bytes.length, 256); end++) {
    assert.ok(KINDS.has(parseProxyHeader(bytes.subarray(0, end)).kind));
  }
}

// --- the tests --------------------------------------------------------------------------------------
describe("parser fuzz: POP3 line reader and command parser", () => {
  it("replays the regression corpus", () => {
    for (const { name, bytes } of loadCorpus("pop3-wire")) {
      for (const at of [[], [1], [2, 5, 9], Array.from({ length: bytes.length }, (_, i) => i)]) {
        assert.doesNotThrow(() => checkPop3(bytes, at), name);
      }
    }
  });
  it("returns only typed results for any bytes, split anywhere", () => {
    const input = fc.oneof(shaped(POP3_FRAGMENTS), shaped(POP3_FRAGMENTS, 80));
    fc.assert(
      fc.property(input, cuts, (bytes, at) => checkPop3(bytes, at)),
      fuzzParameters(2000),
    );
  });
});

describe("parser fuzz: SMTP/LMTP reader and command parser", () => {
  it("replays the regression corpus", () => {
    for (const { name, bytes } of loadCorpus("smtp-wire")) {
      for (const at of [[], [1], [3, 7], Array.from({ length: bytes.length }, (_, i) => i)]) {
        assert.doesNotThrow(() => checkSmtp(bytes, at), name);
      }
    }
  });
  it("returns only typed results for any bytes, split anywhere", () => {
    const input = fc.oneof(shaped(SMTP_FRAGMENTS), shaped(SMTP_FRAGMENTS, 80));
    fc.assert(
      fc.property(input, cuts, (bytes, at) => checkSmtp(bytes, at)),
      fuzzParameters(2000),
    );
  });
});

describe("parser fuzz: SASL decoders", () => {
  it("replays the regression corpus", async () => {
    for (const { name, bytes } of loadCorpus("sasl")) {
      const { mechanism, responses } = parseSaslCorpus(bytes);
      assert.ok(parseMechanismName(mechanism), `${name}: unknown mechanism ${mechanism}`);
      await checkSasl(mechanism, responses);
    }
  });
  it("base64 and saslname decoding return a value or null", () => {
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.stringMatching(/^[A-Za-z0-9+/=\s]{0,40}$/),
      fc.string({ maxLength: 20 }).map((s) => s.replaceAll(",", "=2C")),
    );
    fc.assert(
      fc.property(text, (s) => {
        const decoded = decodeSaslBase64(s);
        assert.ok(decoded === null || Buffer.isBuffer(decoded));
        const name = decodeSaslName(s);
        assert.ok(name === null || typeof name === "string");
      }),
      fuzzParameters(3000),
    );
  });
  it("every mechanism answers any sequence of responses with typed steps or authFailed", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SASL_MECHANISMS),
        fc.array(response, { minLength: 1, maxLength: 4 }),
        (mechanism, responses) => checkSasl(mechanism, responses),
      ),
      fuzzParameters(1500),
    );
  });
  it("SCRAM: well-formed first messages followed by any final message", async () => {
    const saslName = fc
      .string({ minLength: 1, maxLength: 10 })
      .map((s) => s.replaceAll("=", "=3D").replaceAll(",", "=2C"));
    const first = fc
      .tuple(
        fc.constantFrom("n,,", "y,,", "p=tls-unique,,", "n,a=x,"),
        saslName,
        fc.stringMatching(/^[!-+\--~]{1,12}$/),
      )
      .map(([gs2, name, nonce]) => ({ gs2, text: `${gs2}n=${name},r=${nonce}`, nonce }));
    const final = fc.tuple(
      fc.oneof(fc.constant("biws"), fc.base64String({ maxLength: 24 })),
      fc.boolean(),
      fc.base64String({ maxLength: 48 }),
      shaped(SCRAM_FRAGMENTS, 4),
    );
    await fc.assert(
      fc.asyncProperty(first, final, async (client, [binding, isRightNonce, proof, tail]) => {
        const nonce = isRightNonce ? `${client.nonce}${SERVER_NONCE}` : client.nonce;
        const finalText = Buffer.concat([Buffer.from(`c=${binding},r=${nonce},p=${proof}`), tail]);
        const mechanism = client.gs2.startsWith("p=") ? "SCRAM-SHA-256-PLUS" : "SCRAM-SHA-256";
        await checkSasl(mechanism, [Buffer.from(client.text), finalText, Buffer.alloc(0)]);
      }),
      fuzzParameters(1000),
    );
  });
});

describe("parser fuzz: PROXY protocol", () => {
  it("replays the regression corpus", () => {
    for (const { name, bytes } of loadCorpus("proxy-protocol")) {
      assert.doesNotThrow(() => checkProxy(bytes), name);
    }
  });
  it("returns incomplete, invalid or a consistent header for any bytes and every prefix", () => {
    const input = fc.oneof(
      shaped(PROXY_FRAGMENTS, 12),
      fc
        .tuple(
          fc.integer({ min: 0, max: 255 }),
          fc.integer({ min: 0, max: 255 }),
          fc.integer({ min: 0, max: 300 }),
        )
        .chain(([verCmd, family, length]) =>
          fc
            .uint8Array({ maxLength: Math.min(length + 8, 320) })
            .map((body) =>
              Buffer.concat([
                Buffer.from(V2_SIGNATURE, "latin1"),
                Buffer.from([verCmd, family, length >> 8, length & 0xff]),
                Buffer.from(body),
              ]),
            ),
        ),
    );
    fc.assert(
      fc.property(input, (bytes) => checkProxy(bytes)),
      fuzzParameters(2000),
    );
  });
});
