// UID sets over real sockets (RFC 9051 §6.4.8, §9 sequence-set): overlapping, reversed and `*` ranges
// over a mailbox with UID gaps name each existing message once, in mailbox order, and UIDs that do not
// exist are skipped; pipelined UID FETCHes are answered each once and in order (their replies go out
// together).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const USER = "uidsets@example.test";
const MESSAGES = 12;

/** The UIDs of the FETCH responses in `response`, in the order they came. */
const fetchedUids = (response: string): number[] =>
  [...response.matchAll(/^\* \d+ FETCH \(UID (\d+)\)/gm)].map((m) => Number(m[1]));

describe("IMAP UID sets", () => {
  let t: TestServer;
  let raw: RawImap;
  /** The mailbox's UIDs after the expunges, ascending. */
  let existing: number[] = [];

  before(async () => {
    t = await startTestServer();
    await t.addUser(USER);
    raw = await RawImap.connect(t.port("imap"));
    assert.match(await raw.command("l", `LOGIN ${USER} ${TEST_PASSWORD}`), /^l OK/m);
    for (let i = 1; i <= MESSAGES; i++) {
      const message = `Subject: ${i}\r\n\r\nbody ${i}\r\n`;
      raw.write(`a${i} APPEND INBOX {${Buffer.byteLength(message)}+}\r\n${message}\r\n`);
      assert.match(await raw.untilTagged(`a${i}`), /OK/);
    }
    assert.match(await raw.command("s", "SELECT INBOX"), /\r\ns OK/);
    const all = fetchedUids(await raw.command("f", "UID FETCH 1:* (UID)"));
    assert.equal(all.length, MESSAGES);
    // Gaps: the 2nd, 3rd, 7th and last messages go.
    const gone = [all[1], all[2], all[6], all[MESSAGES - 1]] as number[];
    assert.match(await raw.command("d", `UID STORE ${gone.join(",")} +FLAGS.SILENT (\\Deleted)`), /d OK/);
    assert.match(await raw.command("e", "EXPUNGE"), /e OK/);
    existing = all.filter((uid) => !gone.includes(uid));
  });
  after(async () => {
    raw.close();
    await t.stop();
  });

  /** What a UID set names here: the existing UIDs inside any of its ranges, ascending, once each. */
  function expected(ranges: readonly (readonly [number | "*", number | "*"])[]): number[] {
    const largest = existing.at(-1) ?? 0;
    const bounds = ranges.map(([a, b]) => {
      const x = a === "*" ? largest : a;
      const y = b === "*" ? largest : b;
      return [Math.min(x, y), Math.max(x, y)] as const;
    });
    return existing.filter((uid) => bounds.some(([low, high]) => uid >= low && uid <= high));
  }

  it("names each existing message once, in order, for any mix of ranges", async () => {
    const first = existing[0] as number;
    const last = existing.at(-1) as number;
    const sets: (readonly (readonly [number | "*", number | "*"])[])[] = [
      [[first, first]],
      [[first + 1, first + 2]], // only expunged UIDs: nothing
      [[last, first]], // reversed
      [
        [first + 4, first + 8],
        [first + 6, first + 10],
        [first, first + 1],
      ], // overlapping, out of order
      [["*", first + 5]],
      [
        [last + 5, last + 9],
        ["*", "*"],
      ], // beyond the last UID, and `*`
      [
        [first + 3, first + 3],
        [first + 3, first + 3],
        [first + 5, first + 9],
      ], // duplicates
    ];
    for (const ranges of sets) {
      const text = ranges.map(([a, b]) => (a === b ? `${a}` : `${a}:${b}`)).join(",");
      const response = await raw.command("u", `UID FETCH ${text} (UID)`);
      assert.match(response, /\r\nu OK|^u OK/m, text);
      assert.deepEqual(fetchedUids(response), expected(ranges), `UID FETCH ${text}`);
    }
  });

  it("answers pipelined UID FETCHes each once and in order", async () => {
    raw.take();
    const order = [...existing].reverse();
    raw.write(order.map((uid, i) => `p${i} UID FETCH ${uid} (UID)\r\n`).join(""));
    const response = await raw.untilTagged(`p${order.length - 1}`);
    assert.deepEqual(fetchedUids(response), order);
    const tags = [...response.matchAll(/^(p\d+) OK/gm)].map((m) => m[1]);
    assert.deepEqual(
      tags,
      order.map((_uid, i) => `p${i}`),
    );
  });
});
