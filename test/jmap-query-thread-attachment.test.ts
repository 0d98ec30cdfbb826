// Email/query's hasAttachment and the thread keyword conditions (RFC 8621 §4.4.1) over real HTTP, on a
// generated mailbox set checked against a brute-force expectation computed from what the test appended:
// attachments as built, keywords as the union over an Email's copies, threads as the replies made them.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { JmapTestClient } from "./helpers/jmap-client.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

type Obj = Record<string, unknown>;

const KEYWORDS = ["$seen", "$flagged", "work"] as const;
const FLAG_OF: Record<string, string> = { $seen: "\\Seen", $flagged: "\\Flagged", work: "work" };
const THREADS = 7;
const MESSAGES = 36;

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Planned {
  readonly thread: number;
  readonly hasAttachment: boolean;
  /** Keywords of the copy in INBOX, and of the copy in Other when there is one. */
  readonly inboxKeywords: readonly string[];
  readonly otherKeywords: readonly string[] | null;
  emailId: string;
}

function rawMessage(index: number, thread: number, hasAttachment: boolean): string {
  const headers = [
    "From: Carol <carol@example.test>",
    "To: Alice <alice@example.test>",
    `Subject: thread ${thread} message ${index}`,
    `Message-ID: <m${index}.${process.pid}@example.test>`,
    ...(index >= THREADS
      ? [
          `In-Reply-To: <m${thread}.${process.pid}@example.test>`,
          `References: <m${thread}.${process.pid}@example.test>`,
        ]
      : []),
    "MIME-Version: 1.0",
  ];
  const body = hasAttachment
    ? [
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain",
        "",
        `Body ${index}.`,
        "--b",
        'Content-Type: application/pdf; name="report.pdf"',
        "Content-Transfer-Encoding: base64",
        "",
        "JVBERi0xLjQK",
        "--b--",
      ]
    : [
        // An inline image is not an attachment (RFC 8621 §4.1.4, the MIME index's rule).
        ...(index % 3 === 0
          ? [
              'Content-Type: multipart/mixed; boundary="b"',
              "",
              "--b",
              "Content-Type: text/plain",
              "",
              `Body ${index}.`,
            ]
          : ["Content-Type: text/plain", "", `Body ${index}.`]),
        ...(index % 3 === 0
          ? ["--b", "Content-Type: image/png", "Content-Disposition: inline", "", "iVBORw0K", "--b--"]
          : []),
      ];
  return `${[...headers, ...body].join("\r\n")}\r\n`;
}

describe("JMAP Email/query: hasAttachment and thread keyword conditions", () => {
  let server: TestServer;
  let imap: ImapFlow;
  let jmap: JmapTestClient;
  let accountId: string;
  let otherId: string;
  const planned: Planned[] = [];

  before(async () => {
    server = await startTestServer();
    const address = "threads@example.test";
    await server.addUser(address);
    jmap = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, address, TEST_PASSWORD);
    accountId = await jmap.accountId();
    imap = imapFlowClient(server.port("imap"), address);
    await imap.connect();
    await imap.mailboxCreate("Other");
    const next = random(8621);
    const pick = () => KEYWORDS.filter(() => next() < 0.5);
    for (let i = 0; i < MESSAGES; i++) {
      const thread = i < THREADS ? i : Math.floor(next() * THREADS);
      const hasAttachment = next() < 0.4;
      const inboxKeywords = pick();
      const otherKeywords = next() < 0.3 ? pick() : null;
      const raw = rawMessage(i, thread, hasAttachment);
      const appended = await imap.append(
        "INBOX",
        raw,
        inboxKeywords.map((k) => FLAG_OF[k] as string),
        new Date(Date.UTC(2026, 0, 1 + i)),
      );
      if (appended === false || appended.uid === undefined) throw new Error("APPEND gave no UID");
      await imap.mailboxOpen("INBOX");
      const fetched = (await imap.fetchOne(String(appended.uid), { emailId: true }, { uid: true })) as {
        emailId: string;
      };
      if (otherKeywords !== null) {
        await imap.messageCopy(String(appended.uid), "Other", { uid: true });
        await imap.mailboxOpen("Other");
        await imap.messageFlagsSet(
          { emailId: fetched.emailId },
          otherKeywords.map((k) => FLAG_OF[k] as string),
        );
      }
      planned.push({ thread, hasAttachment, inboxKeywords, otherKeywords, emailId: fetched.emailId });
    }
    const mailboxes = await jmap.one("Mailbox/get", { accountId, properties: ["name"] });
    otherId = ((mailboxes.list as Obj[]).find((m) => m.name === "Other") as Obj).id as string;
  });
  after(async () => {
    await imap?.logout();
    await server?.stop();
  });

  const query = async (filter: Obj): Promise<string[]> => {
    const result = await jmap.one("Email/query", { accountId, filter, limit: 1000 });
    return [...(result.ids as string[])].sort();
  };
  const expect = (predicate: (p: Planned) => boolean): string[] =>
    planned
      .filter(predicate)
      .map((p) => p.emailId)
      .sort();
  const keywordsOf = (p: Planned) => new Set([...p.inboxKeywords, ...(p.otherKeywords ?? [])]);
  const threadOf = (p: Planned) => planned.filter((q) => q.thread === p.thread);

  it("the generated mail has the threads and attachments it was built with", async () => {
    const get = await jmap.one("Email/get", {
      accountId,
      ids: planned.map((p) => p.emailId),
      properties: ["threadId", "hasAttachment"],
    });
    const byId = new Map((get.list as Obj[]).map((e) => [e.id as string, e]));
    const threadIds = new Map<number, string>();
    for (const p of planned) {
      const email = byId.get(p.emailId) as Obj;
      assert.equal(email.hasAttachment, p.hasAttachment, p.emailId);
      const known = threadIds.get(p.thread);
      if (known === undefined) threadIds.set(p.thread, email.threadId as string);
      else assert.equal(email.threadId, known, "replies join their thread");
    }
    assert.equal(new Set(threadIds.values()).size, THREADS);
    assert.ok(planned.some((p) => p.hasAttachment) && planned.some((p) => !p.hasAttachment));
  });

  it("hasAttachment true and false, alone and combined", async () => {
    assert.deepEqual(
      await query({ hasAttachment: true }),
      expect((p) => p.hasAttachment),
    );
    assert.deepEqual(
      await query({ hasAttachment: false }),
      expect((p) => !p.hasAttachment),
    );
    assert.deepEqual(
      await query({ hasAttachment: true, inMailbox: otherId }),
      expect((p) => p.hasAttachment && p.otherKeywords !== null),
    );
    assert.deepEqual(
      await query({ operator: "NOT", conditions: [{ hasAttachment: true }, { hasKeyword: "work" }] }),
      expect((p) => !p.hasAttachment && !keywordsOf(p).has("work")),
    );
    assert.deepEqual(
      await query({ operator: "OR", conditions: [{ hasAttachment: true }, { text: "Body 5." }] }),
      expect((p) => p.hasAttachment || planned.indexOf(p) === 5),
    );
  });

  it("all/some/noneInThreadHaveKeyword over every Email of the thread, keywords of all copies", async () => {
    for (const keyword of KEYWORDS) {
      const inThread = (p: Planned) => threadOf(p).map((q) => keywordsOf(q).has(keyword));
      assert.deepEqual(
        await query({ allInThreadHaveKeyword: keyword }),
        expect((p) => inThread(p).every(Boolean)),
        `all ${keyword}`,
      );
      assert.deepEqual(
        await query({ someInThreadHaveKeyword: keyword }),
        expect((p) => inThread(p).some(Boolean)),
        `some ${keyword}`,
      );
      assert.deepEqual(
        await query({ noneInThreadHaveKeyword: keyword.toUpperCase() }),
        expect((p) => !inThread(p).some(Boolean)),
        `none ${keyword}, in any case`,
      );
    }
    assert.deepEqual(
      await query({ someInThreadHaveKeyword: "$flagged", hasAttachment: true, notKeyword: "$seen" }),
      expect(
        (p) =>
          threadOf(p).some((q) => keywordsOf(q).has("$flagged")) &&
          p.hasAttachment &&
          !keywordsOf(p).has("$seen"),
      ),
    );
  });

  it("a flag change in one Email moves the answer for its whole thread", async () => {
    const before = await query({ allInThreadHaveKeyword: "urgent" });
    assert.deepEqual(before, []);
    const thread = planned.filter((p) => p.thread === 0);
    await imap.mailboxOpen("INBOX");
    for (const p of thread) await imap.messageFlagsAdd({ emailId: p.emailId }, ["urgent"]);
    assert.deepEqual(await query({ allInThreadHaveKeyword: "urgent" }), thread.map((p) => p.emailId).sort());
    assert.deepEqual(await query({ someInThreadHaveKeyword: "urgent" }), thread.map((p) => p.emailId).sort());
    const [first] = thread;
    assert.ok(first);
    await imap.messageFlagsRemove({ emailId: first.emailId }, ["urgent"]);
    assert.deepEqual(await query({ allInThreadHaveKeyword: "urgent" }), [], "one Email without it: not all");
    const rest = thread.length > 1 ? thread.map((p) => p.emailId).sort() : [];
    assert.deepEqual(await query({ someInThreadHaveKeyword: "urgent" }), rest);
  });

  it("refuses malformed values with unsupportedFilter", async () => {
    for (const filter of [
      { hasAttachment: "yes" },
      { allInThreadHaveKeyword: 1 },
      { someInThreadHaveKeyword: "a b" },
    ]) {
      const [response] = await jmap.call([["Email/query", { accountId, filter }, "c0"]]);
      assert.equal(response?.[0], "error", JSON.stringify(filter));
      assert.equal((response?.[1] as Obj | undefined)?.type, "unsupportedFilter");
    }
  });
});
