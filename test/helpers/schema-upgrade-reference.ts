// The reference mail of the schema-upgrade tests (test/schema-upgrade.test.ts for the embedded store,
// test/schema-upgrade-postgres.test.ts for PostgreSQL): one account with folders, a subscription change,
// flags and keywords, an expunged UID, a large message, and a delivered one; and what an IMAP client sees
// of it, which a store upgraded from any older schema version must show unchanged.
import assert from "node:assert/strict";
import type { ImapFlow } from "imapflow";
import type { RunningServer } from "../../src/main.js";
import { imapFlowClient } from "./imapflow-client.js";
import type { TestServer } from "./test-server.js";

export const ALICE = "alice@example.test";

export interface SeenMailbox {
  readonly uidValidity: string;
  readonly uidNext: number;
  readonly messages: readonly { uid: number; flags: string; source: string }[];
}

export interface SeenAccount {
  readonly subscribed: readonly string[];
  readonly mailboxes: ReadonlyMap<string, SeenMailbox>;
}

/** What an IMAP client sees of the account: every folder's state and messages, and the subscriptions. */
export async function seenOverImap(port: number): Promise<SeenAccount> {
  const client: ImapFlow = imapFlowClient(port, ALICE);
  await client.connect();
  try {
    const list = await client.list();
    const mailboxes = new Map<string, SeenMailbox>();
    for (const entry of list.sort((a, b) => (a.path < b.path ? -1 : 1))) {
      const lock = await client.getMailboxLock(entry.path);
      try {
        const box = client.mailbox;
        assert.ok(box);
        const messages: { uid: number; flags: string; source: string }[] = [];
        if (box.exists > 0) {
          for await (const m of client.fetch("1:*", { uid: true, flags: true, source: true })) {
            messages.push({
              uid: m.uid,
              flags: [...(m.flags ?? [])].sort().join(" "),
              source: (m.source as Buffer).toString("latin1"),
            });
          }
        }
        mailboxes.set(entry.path, { uidValidity: String(box.uidValidity), uidNext: box.uidNext, messages });
      } finally {
        lock.release();
      }
    }
    const subscribed = list
      .filter((m) => m.subscribed)
      .map((m) => m.path)
      .sort();
    return { subscribed, mailboxes };
  } finally {
    await client.logout();
  }
}

export const imapPort = (server: RunningServer): number => {
  const listener = server.listeners.find((l) => l.proto === "imap");
  assert.ok(listener);
  return listener.port;
};

/**
 * Fills a fresh server with the reference mail (over IMAP, and one LMTP-style delivery, which keeps a
 * small body in the database) and returns what IMAP shows of it, checked to hold what upgrades must keep.
 */
export async function seedReferenceMail(reference: TestServer): Promise<SeenAccount> {
  await reference.addUser(ALICE);
  await reference.addUser("bob@example.test");
  const client = imapFlowClient(reference.port("imap"), ALICE);
  await client.connect();
  await client.mailboxCreate("Projects/Größe");
  await client.mailboxUnsubscribe("Junk");
  const when = (day: number) => new Date(Date.UTC(2026, 0, day, 9, 0, 0));
  const message = (n: number, body = `Body ${n}.`) =>
    `From: bob@example.test\r\nTo: ${ALICE}\r\nSubject: message ${n}\r\nMessage-ID: <m${n}@example.test>\r\n\r\n${body}\r\n`;
  await client.append("INBOX", message(1), ["\\Seen"], when(1));
  await client.append("INBOX", message(2), ["\\Flagged", "$Forwarded", "project-x"], when(2));
  await client.append("INBOX", message(3), [], when(3));
  await client.append("INBOX", message(4, "x".repeat(100_000)), ["\\Answered"], when(4));
  await client.append("Projects/Größe", message(5, "Grüße."), ["\\Draft"], when(5));
  const lock = await client.getMailboxLock("INBOX");
  try {
    await client.messageDelete({ uid: "3" }, { uid: true });
  } finally {
    lock.release();
  }
  await client.logout();
  const { delivery } = reference.server.services;
  const check = await delivery.checkRecipient(ALICE);
  assert.equal(check.kind, "accepted");
  if (check.kind !== "accepted") throw new Error("unreachable");
  const report = await delivery.deliver({
    returnPath: "bob@example.test",
    recipients: [check],
    data: Buffer.from(message(6, "Delivered.")),
    heloName: "localhost",
    remoteAddress: "127.0.0.1",
    protocol: "LMTP",
  });
  assert.equal(report.outcomes[0]?.kind, "delivered");
  const seen = await seenOverImap(reference.port("imap"));
  assert.deepEqual(
    seen.mailboxes.get("INBOX")?.messages.map((m) => m.uid),
    [1, 2, 4, 5],
  );
  assert.ok(seen.subscribed.includes("Projects/Größe") && !seen.subscribed.includes("Junk"));
  return seen;
}

/** The upgraded store shows exactly the reference: folders, subscriptions, UIDVALIDITY, UIDNEXT, UIDs, flags, bytes. */
export function assertSeenAsReference(seen: SeenAccount, expected: SeenAccount, version: number): void {
  assert.deepEqual(seen.subscribed, expected.subscribed);
  assert.deepEqual([...seen.mailboxes.keys()], [...expected.mailboxes.keys()]);
  for (const [name, mailbox] of expected.mailboxes) {
    assert.deepEqual(seen.mailboxes.get(name), mailbox, `${name} at schema version ${version}`);
  }
}
