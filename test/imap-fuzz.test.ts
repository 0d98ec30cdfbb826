// Random bytes at the IMAP port (fast-check): whatever arrives, the server answers or hangs up, never
// crashes, and the next client can still log in and work. Inputs mix protocol-shaped fragments
// (tags, literals, parentheses, command names) with arbitrary bytes to get past the first line.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { fuzzParameters } from "./helpers/fuzz-corpus.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const FRAGMENTS = [
  "a1 ",
  "LOGIN ",
  "fuzz@example.test ",
  `${TEST_PASSWORD}`,
  "SELECT INBOX",
  "FETCH 1:* (FLAGS BODY[])",
  "APPEND INBOX ",
  "{5}\r\n",
  "{5+}\r\n",
  "{99999999999}\r\n",
  "~{3}\r\n",
  "(",
  ")",
  '"',
  "\\",
  "\r\n",
  "\n",
  "\r",
  "\u0000",
  "*",
  "%",
  "&AP8-",
  "UID ",
  "SEARCH OR (NOT ",
  "IDLE\r\n",
  "DONE\r\n",
  "AUTHENTICATE PLAIN\r\n",
  "STARTTLS\r\n",
  "ENABLE UTF8=ACCEPT IMAP4rev2\r\n",
];

const input = fc.array(
  fc.oneof(
    fc.constantFrom(...FRAGMENTS),
    fc.string({ maxLength: 20 }),
    fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
  ),
  { maxLength: 30 },
);

describe("IMAP under random input", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    await t.addUser("fuzz@example.test");
  });
  after(async () => {
    await t.stop();
  });

  it("never crashes and keeps serving the next login", async () => {
    const port = t.port("imap");
    await fc.assert(
      fc.asyncProperty(input, async (parts) => {
        const raw = await RawImap.connect(port);
        raw.write(Buffer.from(parts.join(""), "latin1"));
        raw.write("\r\nz9 LOGOUT\r\n");
        // The server either answers the LOGOUT, or has hung up (BYE) on a broken line; both are fine.
        await raw
          .waitFor((text) => raw.isClosed || /z9 (OK|NO|BAD)/.test(text) || text.includes("* BYE"), 1000)
          .catch(() => {});
        raw.close();
      }),
      fuzzParameters(120),
    );
    const check = await RawImap.connect(port);
    assert.match(await check.command("c1", `LOGIN fuzz@example.test ${TEST_PASSWORD}`), /^c1 OK/);
    assert.match(await check.command("c2", "SELECT INBOX"), /c2 OK/);
    check.close();
  });
});
