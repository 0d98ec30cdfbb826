// Pipelined body FETCHes (a download's `UID FETCH n (BODY.PEEK[])`, thousands in a row) are answered in
// one pass over the input chunk (ImapSession #answerPipelinedFetches). Over a real socket, all in one
// write: every command gets its own responses and exactly one tagged reply, in the order sent, when the
// run of FETCHes is broken by other commands, by FETCHes the pass leaves to fetch(), by bad ones, by
// commands UIDONLY refuses, and by another session's expunge that must be announced first.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

/** Message n: distinct bytes and sizes, so a body sent for the wrong FETCH cannot pass for the right one. */
function message(n: number): string {
  const lines = [`From: sender@example.test`, `Subject: message ${n}`, ""];
  for (let line = 0; line < 3 + ((n * 7) % 40); line++)
    lines.push(`message ${n} line ${line} ${"x".repeat(n)}`);
  return `${lines.join("\r\n")}\r\n`;
}

/** One response read off the wire: an untagged one with its literals, or a tagged reply. */
type Response =
  | { readonly kind: "untagged"; readonly text: string; readonly literals: readonly string[] }
  | { readonly kind: "tagged"; readonly tag: string; readonly status: string; readonly text: string };

/** The responses in `received` (latin1), literals taken whole by their announced size. */
function responses(received: string): Response[] {
  const found: Response[] = [];
  let at = 0;
  while (at < received.length) {
    let text = "";
    const literals: string[] = [];
    for (;;) {
      const end = received.indexOf("\r\n", at);
      assert.ok(end >= 0, `a whole line at ${at}`);
      const line = received.slice(at, end);
      at = end + 2;
      text += line;
      const literal = /\{(\d+)\}$/.exec(line);
      if (literal === null) break;
      const size = Number(literal[1]);
      literals.push(received.slice(at, at + size));
      at += size;
    }
    const tagged = /^([A-Za-z]\w*) (OK|NO|BAD) (.*)$/.exec(text);
    found.push(
      text.startsWith("*") || tagged === null
        ? { kind: "untagged", text, literals }
        : {
            kind: "tagged",
            tag: tagged[1] as string,
            status: tagged[2] as string,
            text: tagged[3] as string,
          },
    );
  }
  return found;
}

/** The responses of each tag, in the order the tags were answered: untagged ones go with the next tag. */
function byTag(
  all: readonly Response[],
): { tag: string; status: string; text: string; untagged: Response[] }[] {
  const answered: { tag: string; status: string; text: string; untagged: Response[] }[] = [];
  let untagged: Response[] = [];
  for (const response of all) {
    if (response.kind === "untagged") untagged.push(response);
    else {
      answered.push({ tag: response.tag, status: response.status, text: response.text, untagged });
      untagged = [];
    }
  }
  return answered;
}

describe("IMAP pipelined FETCH", () => {
  let server: TestServer;
  let port: number;
  let users = 0;

  before(async () => {
    server = await startTestServer();
    port = server.port("imap");
  });
  after(() => server.stop());

  /** A fresh account with messages 1..count in INBOX (UIDs 1..count), and a way to log in. */
  async function account(count: number): Promise<() => Promise<RawImap>> {
    const user = `pipelined${++users}@example.test`;
    await server.addUser(user);
    const login = () => RawImap.loggedIn(port, user, TEST_PASSWORD);
    const setup = await login();
    for (let n = 1; n <= count; n++) {
      const text = message(n);
      assert.match(
        await setup.command("a", `APPEND INBOX {${Buffer.byteLength(text)}+}\r\n${text}`),
        /^a OK/m,
      );
    }
    setup.close();
    return login;
  }

  async function selected(login: () => Promise<RawImap>): Promise<RawImap> {
    const raw = await login();
    assert.match(await raw.command("s", "SELECT INBOX"), /^s OK/m);
    raw.take();
    return raw;
  }

  it("answers each command of a mixed pipeline once, in order, with its own message", async () => {
    const raw = await selected(await account(30));
    const commands: [string, string][] = [];
    for (let uid = 1; uid <= 10; uid++) commands.push([`f${uid}`, `UID FETCH ${uid} (BODY.PEEK[])`]);
    commands.push(["n1", "NOOP"]);
    for (let uid = 11; uid <= 15; uid++) commands.push([`f${uid}`, `UID FETCH ${uid} (BODY.PEEK[])`]);
    commands.push(
      ["st", "UID STORE 3 +FLAGS (\\Flagged)"],
      ["fl", "UID FETCH 3 (FLAGS BODY.PEEK[])"],
      ["gone", "UID FETCH 999 (BODY.PEEK[])"],
      ["bad", "FETCH 40 (BODY.PEEK[])"],
      ["seq", "FETCH 20 (BODY.PEEK[])"],
      ["junk", "FROBNICATE"],
      ["seen", "UID FETCH 21 (BODY[])"],
      ["last", "UID FETCH 22 (BODY.PEEK[])"],
    );
    raw.write(commands.map(([tag, command]) => `${tag} ${command}\r\n`).join(""));
    const answered = byTag(responses(await raw.untilTagged("last")));
    assert.deepEqual(
      answered.map((a) => `${a.tag} ${a.status}`),
      commands.map(([tag]) => `${tag} ${["bad", "junk"].includes(tag) ? "BAD" : "OK"}`),
    );
    const at = (tag: string) => answered.find((a) => a.tag === tag) as (typeof answered)[number];
    for (let uid = 1; uid <= 15; uid++) {
      const { untagged } = at(`f${uid}`);
      assert.equal(untagged.length, 1, `f${uid}: one FETCH response`);
      const fetched = untagged[0] as Extract<Response, { kind: "untagged" }>;
      assert.match(fetched.text, new RegExp(`^\\* ${uid} FETCH \\(UID ${uid} BODY\\[\\] \\{\\d+\\}\\)$`));
      assert.deepEqual(fetched.literals, [message(uid)]);
    }
    const flagged = at("fl").untagged[0] as Extract<Response, { kind: "untagged" }>;
    assert.match(flagged.text, /^\* 3 FETCH \(UID 3 FLAGS \(\\Flagged( \\Recent)?\) BODY\[\] \{\d+\}\)$/);
    assert.deepEqual(flagged.literals, [message(3)]);
    assert.deepEqual(at("gone").untagged, [], "a UID that does not exist: OK with no data");
    assert.deepEqual(at("bad").untagged, [], "a message number past the end: BAD and nothing sent");
    const bySequence = at("seq").untagged[0] as Extract<Response, { kind: "untagged" }>;
    assert.match(bySequence.text, /^\* 20 FETCH \(BODY\[\] \{\d+\}\)$/);
    assert.deepEqual(bySequence.literals, [message(20)]);
    // BODY[] (not PEEK) sets \Seen and reports it; the run's PEEKs did not.
    const seen = at("seen").untagged[0] as Extract<Response, { kind: "untagged" }>;
    assert.match(seen.text, /FLAGS \([^)]*\\Seen/);
    assert.deepEqual(seen.literals, [message(21)]);
    assert.deepEqual((at("last").untagged[0] as Extract<Response, { kind: "untagged" }>).literals, [
      message(22),
    ]);
    const flags = await raw.command("chk", "UID SEARCH SEEN");
    assert.match(flags, /^\* SEARCH 21\r$/m);
    raw.close();
  });

  it("refuses message numbers under UIDONLY within a run of UID FETCHes", async () => {
    const raw = await (await account(3))();
    assert.match(await raw.command("e", "ENABLE UIDONLY"), /^e OK/m);
    assert.match(await raw.command("s", "SELECT INBOX"), /^s OK/m);
    raw.take();
    raw.write(
      "a UID FETCH 1 (BODY.PEEK[])\r\nb FETCH 2 (BODY.PEEK[])\r\nc UID FETCH 2 (BODY.PEEK[])\r\nd UID FETCH 3 (BODY.PEEK[])\r\n",
    );
    const answered = byTag(responses(await raw.untilTagged("d")));
    assert.deepEqual(
      answered.map((a) => `${a.tag} ${a.status}`),
      ["a OK", "b BAD", "c OK", "d OK"],
    );
    assert.match(answered[1]?.text ?? "", /^\[UIDREQUIRED\]/);
    assert.deepEqual(answered[1]?.untagged, []);
    for (const [index, uid] of [
      [0, 1],
      [2, 2],
      [3, 3],
    ] as const) {
      const fetched = answered[index]?.untagged[0] as Extract<Response, { kind: "untagged" }>;
      assert.match(fetched.text, new RegExp(`^\\* ${uid} UIDFETCH \\(BODY\\[\\] \\{\\d+\\}\\)$`));
      assert.deepEqual(fetched.literals, [message(uid)]);
    }
    raw.close();
  });

  it("announces another session's expunge in the run and numbers the later messages after it", async () => {
    const login = await account(6);
    const raw = await selected(login);
    const other = await selected(login);
    assert.match(await other.command("x1", "UID STORE 2 +FLAGS.SILENT (\\Deleted)"), /^x1 OK/m);
    assert.match(await other.command("x2", "EXPUNGE"), /^x2 OK/m);
    other.close();
    raw.write(
      "f1 UID FETCH 1 (BODY.PEEK[])\r\nf3 UID FETCH 3 (BODY.PEEK[])\r\nf4 FETCH 3 (BODY.PEEK[])\r\nf6 UID FETCH 6 (BODY.PEEK[])\r\n",
    );
    const answered = byTag(responses(await raw.untilTagged("f6")));
    assert.deepEqual(
      answered.map((a) => `${a.tag} ${a.status}`),
      ["f1 OK", "f3 OK", "f4 OK", "f6 OK"],
    );
    // The expunge is announced once, after UID FETCH 1's data (a UID command may be followed by it)
    // and before any response that numbers messages after it.
    const texts = answered.flatMap((a) => a.untagged.map((r) => (r.kind === "untagged" ? r.text : "")));
    assert.deepEqual(
      texts.map((text) => text.replace(/ \{\d+\}\)$/, ")")),
      [
        "* 1 FETCH (UID 1 BODY[])",
        "* 2 EXPUNGE",
        "* 2 FETCH (UID 3 BODY[])",
        "* 3 FETCH (BODY[])",
        "* 5 FETCH (UID 6 BODY[])",
      ],
    );
    const fourth = answered[2]?.untagged[0] as Extract<Response, { kind: "untagged" }>;
    assert.deepEqual(fourth.literals, [message(4)], "FETCH 3 is UID 4 once UID 2 is gone");
    raw.close();
  });
});
