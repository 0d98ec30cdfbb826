// CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267 §4) over real sockets: a first client keeps searches live
// with RETURN (UPDATE) while a second one delivers, flags and expunges; the first must get exactly the
// ADDTO/REMOVEFROM that turn its copy of each result into the server's fresh result (checked after every
// step of a seeded random run), REMOVEFROM before EXPUNGE with the old sequence numbers, updates during
// IDLE and for its own STOREs, CANCELUPDATE, NOUPDATE past the limit or for time-bound keys, and BAD for
// malformed commands.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { type EsearchLine, esearchLines } from "./helpers/esearch.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const USER = "live@example.test";

/** A seeded generator, so a failing random run can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

async function append(client: RawImap, subject: string, flags: string): Promise<number> {
  const body = `From: x@example.test\r\nSubject: ${subject}\r\n\r\nhello\r\n`;
  const reply = await client.command(
    "ap",
    `APPEND INBOX (${flags}) {${Buffer.byteLength(body)}+}\r\n${body}`,
  );
  const uid = /APPENDUID \d+ (\d+)/.exec(reply)?.[1];
  assert.ok(uid, reply);
  return Number(uid);
}

/** Applies a context's updates in the order sent; checks each REMOVEFROM names what is at its position. */
function applyUpdates(model: number[], lines: readonly EsearchLine[], isSorted: boolean): number[] {
  let result = [...model];
  for (const line of lines) {
    for (const { position, numbers } of line.removeFrom) {
      if (!isSorted) {
        assert.equal(position, 0);
        for (const n of numbers) {
          assert.ok(result.includes(n), `REMOVEFROM ${n} not in ${result}`);
          result = result.filter((m) => m !== n);
        }
        continue;
      }
      numbers.forEach((n, i) => {
        assert.equal(result[position - 1 + i], n, `REMOVEFROM (${position} ${n}) in ${result}`);
      });
      result.splice(position - 1, numbers.length);
    }
    for (const { position, numbers } of line.addTo) {
      if (!isSorted) {
        assert.equal(position, 0);
        for (const n of numbers) assert.ok(!result.includes(n), `ADDTO ${n} already in ${result}`);
        result = [...result, ...numbers].sort((a, b) => a - b);
        continue;
      }
      result.splice(position - 1, 0, ...numbers);
    }
  }
  return result;
}

describe("CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267): live search results", () => {
  let server: TestServer;
  let watcher: RawImap;
  let other: RawImap;

  before(async () => {
    server = await startTestServer();
    await server.addUser(USER);
    other = await RawImap.connect(server.port("imap"));
    await other.command("a", `LOGIN ${USER} ${TEST_PASSWORD}`);
    for (let i = 0; i < 12; i++)
      await append(other, `subject ${(i * 7) % 5} ${i}`, i % 3 === 0 ? "\\Seen" : "");
    await other.command("b", "SELECT INBOX");
  });
  beforeEach(async () => {
    watcher?.close();
    watcher = await RawImap.connect(server.port("imap"));
    await watcher.command("a", `LOGIN ${USER} ${TEST_PASSWORD}`);
    await watcher.command("b", "SELECT INBOX");
  });
  after(async () => {
    watcher.close();
    other.close();
    await server.stop();
  });

  const updatesOf = (reply: string, tag: string) => esearchLines(reply).filter((l) => l.tag === tag);

  async function start(tag: string, command: string): Promise<{ reply: string; initial: EsearchLine }> {
    const reply = await watcher.command(tag, command);
    assert.match(reply, new RegExp(`^${tag} OK`, "m"), reply);
    assert.doesNotMatch(reply, /NOUPDATE/);
    const initial = updatesOf(reply, tag)[0];
    assert.ok(initial, reply);
    return { reply, initial };
  }

  it("advertises CONTEXT=SEARCH and CONTEXT=SORT", async () => {
    const caps = await watcher.command("c", "CAPABILITY");
    assert.match(caps, / CONTEXT=SEARCH[ \r]/);
    assert.match(caps, / CONTEXT=SORT[ \r]/);
  });

  it("announces a delivery, a flag change and an expunge by another client exactly", async () => {
    const { initial } = await start("A1", "UID SEARCH RETURN (UPDATE) UNSEEN");
    let model = initial.all ?? [];
    assert.ok(model.length > 0);

    const uid = await append(other, "fresh", "");
    let reply = await watcher.command("n", "NOOP");
    assert.match(reply, new RegExp(`^\\* ESEARCH \\(TAG "A1"\\) UID ADDTO \\(0 ${uid}\\)\\r$`, "m"), reply);
    model = applyUpdates(model, updatesOf(reply, "A1"), false);

    const victim = model[0] as number;
    await other.command("s", `UID STORE ${victim} +FLAGS (\\Seen)`);
    reply = await watcher.command("n", "NOOP");
    assert.match(reply, new RegExp(`^\\* ESEARCH \\(TAG "A1"\\) UID REMOVEFROM \\(0 ${victim}\\)\\r$`, "m"));
    model = applyUpdates(model, updatesOf(reply, "A1"), false);

    // Flags that do not change membership say nothing.
    await other.command("s", `UID STORE ${model[0]} +FLAGS (\\Flagged)`);
    reply = await watcher.command("n", "NOOP");
    assert.equal(updatesOf(reply, "A1").length, 0, reply);

    const gone = model.at(-1) as number;
    await other.command("s", `UID STORE ${gone} +FLAGS (\\Deleted)`);
    await other.command("e", "EXPUNGE");
    reply = await watcher.command("n", "NOOP");
    const removal = reply.indexOf(`* ESEARCH (TAG "A1") UID REMOVEFROM (0 ${gone})`);
    assert.ok(removal >= 0, reply);
    assert.ok(removal < reply.indexOf(" EXPUNGE\r\n"), "REMOVEFROM comes before EXPUNGE");
    model = applyUpdates(model, updatesOf(reply, "A1"), false);
    const fresh = (await start("F", "UID SEARCH RETURN (ALL) UNSEEN")).initial.all ?? [];
    assert.deepEqual(model, fresh);
  });

  it("sends updates during IDLE and for the client's own STORE", async () => {
    await start("I1", "UID SEARCH RETURN (UPDATE) SUBJECT urgent");
    watcher.take();
    watcher.write("idle IDLE\r\n");
    await watcher.waitFor((t) => t.includes("+ "));
    const uid = await append(other, "urgent matter", "");
    await watcher.waitFor((t) => t.includes(`* ESEARCH (TAG "I1") UID ADDTO (0 ${uid})`));
    watcher.write("DONE\r\n");
    await watcher.untilTagged("idle");
    const { initial } = await start("I2", "UID SEARCH RETURN (UPDATE) UNSEEN SUBJECT urgent");
    assert.deepEqual(initial.all, [uid]);
    const reply = await watcher.command("s", `UID STORE ${uid} +FLAGS (\\Seen)`);
    assert.match(reply, new RegExp(`^\\* ESEARCH \\(TAG "I2"\\) UID REMOVEFROM \\(0 ${uid}\\)\\r$`, "m"));
    assert.ok(reply.indexOf("ESEARCH") < reply.indexOf("s OK"));
    assert.equal(updatesOf(reply, "I1").length, 0);
    // A FETCH that sets \Seen is a change of the client's own too.
    assert.match(await watcher.command("s", `UID STORE ${uid} -FLAGS (\\Seen)`), /ADDTO \(0 /);
    const fetched = await watcher.command("f", `UID FETCH ${uid} (BODY[TEXT])`);
    assert.match(
      fetched,
      new RegExp(`^\\* ESEARCH \\(TAG "I2"\\) UID REMOVEFROM \\(0 ${uid}\\)\\r$`, "m"),
      fetched,
    );
  });

  it("a SORT by sequence number names sort positions and sequence numbers", async () => {
    const sortNumbers = (reply: string) =>
      (/^\* SORT ?([0-9 ]*)\r$/m.exec(reply)?.[1] ?? "").split(" ").filter(Boolean).map(Number);
    const { initial } = await start("S1", "SORT RETURN (UPDATE) (REVERSE SUBJECT) UTF-8 ALL");
    let model = initial.all ?? [];
    assert.deepEqual(model, sortNumbers(await watcher.command("F", "SORT (REVERSE SUBJECT) UTF-8 ALL")));
    await append(other, "zzz sorts first in reverse", "");
    let reply = await watcher.command("n", "NOOP");
    const count = Number(/^\* (\d+) EXISTS\r$/m.exec(reply)?.[1]);
    assert.match(reply, new RegExp(`^\\* ESEARCH \\(TAG "S1"\\) ADDTO \\(1 ${count}\\)\\r$`, "m"), reply);
    model = applyUpdates(model, updatesOf(reply, "S1"), true);
    assert.deepEqual(model, sortNumbers(await watcher.command("F", "SORT (REVERSE SUBJECT) UTF-8 ALL")));
    // Expunging the first message: REMOVEFROM names it as sequence number 1, before the EXPUNGE.
    const uids = (await start("F", "UID SEARCH RETURN (ALL) ALL")).initial.all ?? [];
    await other.command("s", `UID STORE ${uids[0]} +FLAGS.SILENT (\\Deleted)`);
    await other.command("e", "EXPUNGE");
    reply = await watcher.command("n", "NOOP");
    const position = model.indexOf(1) + 1;
    assert.match(
      reply,
      new RegExp(`^\\* ESEARCH \\(TAG "S1"\\) REMOVEFROM \\(${position} 1\\)\\r$`, "m"),
      reply,
    );
    assert.ok(reply.indexOf("REMOVEFROM") < reply.indexOf("* 1 EXPUNGE"), reply);
    model = applyUpdates(model, updatesOf(reply, "S1"), true).map((n) => n - 1);
    assert.deepEqual(model, sortNumbers(await watcher.command("F", "SORT (REVERSE SUBJECT) UTF-8 ALL")));
  });

  it("a SEARCH by sequence number removes with the numbers from before the EXPUNGE", async () => {
    const { initial } = await start("Q1", "SEARCH RETURN (UPDATE) ALL");
    const all = initial.all ?? [];
    const uids = (await start("F", "UID SEARCH RETURN (ALL) ALL")).initial.all ?? [];
    // Expunge the 2nd and 4th message from the other client.
    await other.command("s", `UID STORE ${uids[1]},${uids[3]} +FLAGS (\\Deleted)`);
    await other.command("e", "EXPUNGE");
    const uid = await append(other, "late", "");
    const reply = await watcher.command("n", "NOOP");
    assert.match(reply, /^\* ESEARCH \(TAG "Q1"\) REMOVEFROM \(0 2,4\)\r$/m, reply);
    assert.ok(reply.indexOf("REMOVEFROM") < reply.indexOf("EXPUNGE"));
    const count = all.length - 2 + 1;
    assert.match(reply, new RegExp(`^\\* ESEARCH \\(TAG "Q1"\\) ADDTO \\(0 ${count}\\)\\r$`, "m"), reply);
    assert.ok(reply.indexOf("ADDTO") > reply.indexOf(`* ${count} EXISTS`));
    assert.ok(uid > 0);
  });

  it("keeps SEARCH and SORT contexts exact through a random run of deliveries, flags and expunges", async () => {
    const next = random(42);
    const sortCommand = "UID SORT RETURN (UPDATE) (REVERSE SUBJECT) UTF-8 UNSEEN";
    const sorted = (s: string) =>
      (/^\* SORT ?([0-9 ]*)\r$/m.exec(s)?.[1] ?? "").split(" ").filter(Boolean).map(Number);
    let searchModel = (await start("R1", "UID SEARCH RETURN (UPDATE) UNSEEN FLAGGED")).initial.all ?? [];
    let sortModel = (await start("R2", sortCommand)).initial.all ?? [];
    let subjectModel =
      (await start("R3", "UID SEARCH RETURN (UPDATE) OR SUBJECT 3 KEYWORD $hot")).initial.all ?? [];
    for (let step = 0; step < 40; step++) {
      const uids = (await start("F", "UID SEARCH RETURN (ALL) ALL")).initial.all ?? [];
      const pick = () => uids[Math.floor(next() * uids.length)] as number;
      const roll = next();
      // The watcher's own STORE carries its updates in its own reply.
      let own = "";
      if (roll < 0.3)
        await append(other, `subject ${Math.floor(next() * 6)} x`, next() < 0.4 ? "\\Seen" : "");
      else if (roll < 0.55)
        await other.command("s", `UID STORE ${pick()},${pick()} ${next() < 0.5 ? "+" : "-"}FLAGS (\\Seen)`);
      else if (roll < 0.75)
        await other.command("s", `UID STORE ${pick()} ${next() < 0.5 ? "+" : "-"}FLAGS (\\Flagged $hot)`);
      else if (roll < 0.85)
        own = await watcher.command(
          "s",
          `UID STORE ${pick()} ${next() < 0.5 ? "+" : "-"}FLAGS (\\Seen \\Flagged)`,
        );
      else if (uids.length > 6) {
        await other.command("s", `UID STORE ${pick()} +FLAGS.SILENT (\\Deleted)`);
        await other.command("e", "EXPUNGE");
      }
      const reply = own + (await watcher.command("n", "NOOP"));
      searchModel = applyUpdates(searchModel, updatesOf(reply, "R1"), false);
      sortModel = applyUpdates(sortModel, updatesOf(reply, "R2"), true);
      subjectModel = applyUpdates(subjectModel, updatesOf(reply, "R3"), false);
      assert.deepEqual(
        searchModel,
        (await start("F", "UID SEARCH RETURN (ALL) UNSEEN FLAGGED")).initial.all ?? [],
        `step ${step}`,
      );
      assert.deepEqual(
        sortModel,
        sorted(await watcher.command("F", "UID SORT (REVERSE SUBJECT) UTF-8 UNSEEN")),
        `step ${step}`,
      );
      assert.deepEqual(
        subjectModel,
        (await start("F", "UID SEARCH RETURN (ALL) OR SUBJECT 3 KEYWORD $hot")).initial.all ?? [],
        `step ${step}`,
      );
    }
  });

  it("SORT RETURN (UPDATE PARTIAL …) answers the window first, then updates in whole-result positions", async () => {
    const whole = (await start("F", "UID SORT RETURN (ALL) (SUBJECT) UTF-8 ALL")).initial.all ?? [];
    const { initial } = await start("P1", "UID SORT RETURN (UPDATE PARTIAL 1:3) (SUBJECT) UTF-8 ALL");
    assert.deepEqual(initial.partial?.numbers, whole.slice(0, 3));
    const uid = await append(other, "aaa first of all", "");
    const reply = await watcher.command("n", "NOOP");
    assert.match(reply, new RegExp(`^\\* ESEARCH \\(TAG "P1"\\) UID ADDTO \\(1 ${uid}\\)\\r$`, "m"), reply);
  });

  it("CANCELUPDATE stops a context; unknown tags are NO, malformed commands BAD", async () => {
    await start("C1", "UID SEARCH RETURN (UPDATE) ALL");
    await start("C2", "UID SEARCH RETURN (UPDATE) ALL");
    assert.match(await watcher.command("x", 'CANCELUPDATE "C1"'), /^x OK/m);
    await append(other, "after cancel", "");
    const reply = await watcher.command("n", "NOOP");
    assert.equal(updatesOf(reply, "C1").length, 0, reply);
    assert.equal(updatesOf(reply, "C2").length, 1, reply);
    assert.match(await watcher.command("x", 'CANCELUPDATE "C1"'), /^x NO /m);
    assert.match(await watcher.command("x", 'CANCELUPDATE "C2" "nope"'), /^x NO /m);
    for (const bad of [
      "CANCELUPDATE",
      "CANCELUPDATE C2 (",
      'CANCELUPDATE "C2" ',
      "UID SEARCH RETURN (UPDATE UPDATES) ALL",
    ])
      assert.match(await watcher.command("x", bad), /^x BAD /m, bad);
  });

  it("answers NOUPDATE past five live searches and for keys that change with time, with the results", async () => {
    for (let i = 1; i <= 5; i++) await start(`L${i}`, "UID SEARCH RETURN (UPDATE) UNSEEN");
    const sixth = await watcher.command("L6", "UID SEARCH RETURN (UPDATE COUNT) UNSEEN");
    assert.match(sixth, /^\* ESEARCH \(TAG "L6"\) UID COUNT \d+\r$/m);
    assert.match(sixth, /^\* NO \[NOUPDATE "L6"\] /m);
    assert.match(sixth, /^L6 OK/m);
    // Reusing a live tag replaces that search rather than counting twice.
    assert.doesNotMatch(await watcher.command("L5", "UID SEARCH RETURN (UPDATE) SEEN"), /NOUPDATE/);
    assert.match(await watcher.command("x", 'CANCELUPDATE "L1"'), /^x OK/m);
    assert.match(
      await watcher.command("Y1", "UID SEARCH RETURN (UPDATE) YOUNGER 600"),
      /^\* NO \[NOUPDATE "Y1"\] /m,
    );
    assert.match(
      await watcher.command("Y2", "UID SORT RETURN (UPDATE) (DATE) UTF-8 NEW"),
      /^\* NO \[NOUPDATE "Y2"\] /m,
    );
    // A new SELECT ends every live search.
    await watcher.command("b", "SELECT INBOX");
    assert.match(await watcher.command("x", 'CANCELUPDATE "L2"'), /^x NO /m);
  });
});
