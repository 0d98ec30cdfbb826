// UID sets over real sockets (RFC 9051 §6.4.8, §9 sequence-set): overlapping, reversed and `*` ranges
// over a mailbox with UID gaps name each existing message once, in mailbox order, and UIDs that do not
// exist are skipped; pipelined UID FETCHes are answered each once and in order (their replies go out
// together), and pipelined body FETCHes (whose bodies are read ahead together) each with its own
// message's bytes, whatever comes between them.
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
  /** Each UID's message text. */
  const messageOf = new Map<number, string>();

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
    for (const [i, uid] of all.entries()) messageOf.set(uid, `Subject: ${i + 1}\r\n\r\nbody ${i + 1}\r\n`);
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

  it("answers pipelined body FETCHes each with its own message, whatever comes between them", async () => {
    raw.take();
    const [a, b, c, d] = existing as [number, number, number, number];
    const gone = (existing.at(-1) as number) + 100;
    const commands: [string, string][] = [
      [`UID FETCH ${a} (BODY.PEEK[])`, `${a}`],
      [`UID FETCH ${b} (RFC822.SIZE BODY.PEEK[])`, `${b}`],
      [`UID FETCH ${a} (BODY.PEEK[])`, `${a}`],
      ["FETCH 1:3 (BODY.PEEK[])", `${a},${b},${c}`],
      [`UID STORE ${c} +FLAGS.SILENT (\\Flagged)`, ""],
      [`UID FETCH ${c} (BODY.PEEK[]<0.9>)`, `${c}<0.9>`],
      [`UID FETCH ${gone} (BODY.PEEK[])`, ""],
      ["NOOP", ""],
      [`UID FETCH ${d} (BODY.PEEK[TEXT])`, `${d} TEXT`],
      [`UID FETCH ${d} (BINARY.PEEK[])`, `${d}`],
      [`UID FETCH ${b}:${d} (BODY.PEEK[])`, `${b},${c},${d}`],
    ];
    raw.write(commands.map(([command], i) => `q${i} ${command}\r\n`).join(""));
    const response = await raw.untilTagged(`q${commands.length - 1}`);
    const answers = response.split(/^q\d+ OK[^\r]*\r\n/m).slice(0, commands.length);
    assert.equal(answers.length, commands.length, response);
    commands.forEach(([command, expected], i) => {
      const bodies = [
        ...(answers[i] as string).matchAll(/(?:BODY\[[A-Z]*\](?:<0>)?|BINARY\[\]) \{(\d+)\}\r\n/g),
      ].map((m) =>
        (answers[i] as string).slice(
          (m.index ?? 0) + m[0].length,
          (m.index ?? 0) + m[0].length + Number(m[1]),
        ),
      );
      const wanted =
        expected === ""
          ? []
          : expected.split(",").map((want) => {
              const [uid, part] = want.split(" ") as [string, string | undefined];
              const partial = /^(\d+)<0\.(\d+)>$/.exec(uid);
              const message = messageOf.get(Number(partial?.[1] ?? uid)) as string;
              if (partial) return message.slice(0, Number(partial[2]));
              return part === "TEXT" ? message.slice(message.indexOf("\r\n\r\n") + 4) : message;
            });
      assert.deepEqual(bodies, wanted, command);
    });
  });
});
