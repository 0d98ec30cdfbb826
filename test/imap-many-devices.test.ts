// Many devices on one mailbox (issue "IMAP server"): 10 concurrent sessions append, flag and expunge at
// random for a bounded number of rounds. Each session keeps its own model of the mailbox built ONLY from
// what the server told it (EXISTS, EXPUNGE, FETCH), so the test checks the sequence-number bookkeeping:
// at the end every model equals the store, no flag change was lost, and each message was \Recent in
// exactly one session.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Uid } from "../src/kit/ids.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

const SESSIONS = 10;
const ROUNDS = 25;
const ADDRESS = "shared@example.test";
const UNKNOWN = -1;

interface ModelEntry {
  uid: number;
  flags: Set<string>;
}

/** A client that believes only the server's untagged responses. */
class ModelClient {
  readonly model: ModelEntry[] = [];
  /** UIDs this session was shown with \Recent. */
  readonly sawRecent = new Set<number>();
  #tag = 0;

  constructor(
    readonly id: number,
    readonly raw: RawImap,
  ) {}

  async run(command: string): Promise<string> {
    const tag = `c${this.id}x${++this.#tag}`;
    const reply = await this.raw.command(tag, command);
    const tagged = reply.slice(reply.lastIndexOf(`${tag} `));
    assert.match(tagged, new RegExp(`^${tag} OK`), `session ${this.id}: ${command} → ${tagged}`);
    await this.#apply(reply);
    return reply;
  }

  async #apply(reply: string): Promise<void> {
    for (const line of reply.split("\r\n")) {
      let match = /^\* (\d+) EXPUNGE$/.exec(line);
      if (match) {
        const position = Number(match[1]);
        assert.ok(
          position >= 1 && position <= this.model.length,
          `session ${this.id}: EXPUNGE ${position} in range`,
        );
        this.model.splice(position - 1, 1);
        continue;
      }
      match = /^\* (\d+) EXISTS$/.exec(line);
      if (match) {
        const count = Number(match[1]);
        assert.ok(count >= this.model.length, `session ${this.id}: EXISTS never shrinks the mailbox`);
        // New messages exist from this moment on, still unknown: later EXPUNGEs may count them.
        while (this.model.length < count) this.model.push({ uid: UNKNOWN, flags: new Set() });
        continue;
      }
      match = /^\* (\d+) FETCH \((.*)\)$/.exec(line);
      if (match) this.#applyFetch(Number(match[1]), match[2] as string);
    }
    const firstUnknown = this.model.findIndex((e) => e.uid === UNKNOWN);
    if (firstUnknown >= 0) {
      const tag = `c${this.id}f${++this.#tag}`;
      const fetched = await this.raw.command(
        tag,
        `FETCH ${firstUnknown + 1}:${this.model.length} (UID FLAGS)`,
      );
      await this.#apply(fetched);
      assert.ok(
        this.model.every((e) => e.uid !== UNKNOWN),
        `session ${this.id}: fetched every new message`,
      );
    }
  }

  #applyFetch(position: number, items: string): void {
    const entry = this.model[position - 1];
    assert.ok(entry, `session ${this.id}: FETCH ${position} names a message it knows`);
    const uid = Number(/UID (\d+)/.exec(items)?.[1]);
    if (!Number.isNaN(uid)) {
      if (entry.uid === UNKNOWN) entry.uid = uid;
      assert.equal(entry.uid, uid, `session ${this.id}: position ${position} is UID ${uid}`);
    }
    const flags = /FLAGS \(([^)]*)\)/.exec(items)?.[1];
    if (flags !== undefined) this.#setFlags(entry, flags);
  }

  #setFlags(entry: ModelEntry, flags: string): void {
    entry.flags = new Set(flags.split(" ").filter((f) => f !== ""));
    if (entry.flags.delete("\\Recent")) this.sawRecent.add(entry.uid);
  }
}

describe("many devices on one mailbox", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    await t.addUser(ADDRESS);
  });
  after(async () => {
    await t.stop();
  });

  it("keeps every session's view equal to the store, loses no flag change and gives \\Recent once", async () => {
    const clients: ModelClient[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const client = new ModelClient(i, await RawImap.connect(t.port("imap")));
      await client.run(`LOGIN ${ADDRESS} ${TEST_PASSWORD}`);
      await client.run("SELECT INBOX");
      clients.push(client);
    }
    /** Keywords each session added (and never removes), by UID: none may be lost. */
    const added = new Map<number, Set<string>>();
    let random = 42;
    const next = (n: number) => {
      random = (random * 1103515245 + 12345) % 2 ** 31;
      return random % n;
    };

    await Promise.all(
      clients.map(async (client) => {
        for (let round = 0; round < ROUNDS; round++) {
          const known = client.model;
          const pick = known[next(Math.max(known.length, 1))];
          const action = known.length === 0 ? 0 : next(10);
          if (action < 3) {
            const message = `Subject: from ${client.id} round ${round}\r\n\r\nbody\r\n`;
            await client.run(`APPEND INBOX {${message.length}+}\r\n${message}`);
          } else if (action < 7 && pick) {
            const keyword = `k${client.id}r${round}`;
            await client.run(`UID STORE ${pick.uid} +FLAGS (${keyword} \\Seen)`);
            const set = added.get(pick.uid) ?? new Set();
            set.add(keyword);
            added.set(pick.uid, set);
          } else if (action < 8 && pick) {
            await client.run(`UID STORE ${pick.uid} +FLAGS.SILENT (\\Deleted)`);
            await client.run(`UID EXPUNGE ${pick.uid}`);
          } else if (action < 9 && pick) {
            await client.run(`UID STORE ${pick.uid} -FLAGS (\\Seen)`);
          } else {
            await client.run("NOOP");
          }
        }
      }),
    );
    for (const client of clients) await client.run("NOOP");

    const account = await t.server.services.users.require(ADDRESS);
    const inbox = await t.server.services.mailboxes.require(account.id, "INBOX");
    const entries = await t.server.services.store.messages.listEntries(inbox.id);
    const storeView = entries.map((e) => ({
      uid: e.uid as number,
      flags: [...e.flags.system, ...e.flags.keywords].sort(),
    }));
    assert.ok(entries.length > 0, "the run left messages behind");
    for (const client of clients) {
      assert.deepEqual(
        client.model.map((e) => ({ uid: e.uid, flags: [...e.flags].sort() })),
        storeView,
        `session ${client.id} sees what the store holds`,
      );
    }
    for (const entry of entries) {
      const keywords = new Set(entry.flags.keywords);
      for (const keyword of added.get(entry.uid as Uid as number) ?? []) {
        assert.ok(keywords.has(keyword), `UID ${entry.uid} kept ${keyword}`);
      }
      const seers = clients.filter((c) => c.sawRecent.has(entry.uid)).map((c) => c.id);
      assert.equal(
        seers.length,
        1,
        `UID ${entry.uid} was \\Recent in exactly one session (saw: ${seers.join(",")})`,
      );
    }
    for (const client of clients) client.raw.close();
  });
});
