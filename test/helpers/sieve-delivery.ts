// What the Sieve-at-delivery tests share on either store backend: make a script a user's active one, and
// read back where delivered messages went (subjects and flags of a mailbox, seen over IMAP).
import assert from "node:assert/strict";
import { imapFlowClient } from "./imapflow-client.js";
import type { TestServer } from "./test-server.js";

export interface DeliveredMessage {
  readonly subject: string;
  /** Sorted. */
  readonly flags: string[];
}

/** Stores `script` as the user's script "main" and activates it. */
export async function activateSieveScript(
  server: TestServer,
  address: string,
  script: string,
): Promise<void> {
  const { store, sieveScripts } = server.server.services;
  const account = await store.accounts.findByAddress(address);
  assert.ok(account, `no account ${address}`);
  assert.deepEqual(await sieveScripts.put(account.id, "main", script), { kind: "stored" });
  assert.equal(await sieveScripts.setActive(account.id, "main"), true);
}

/** The messages of `user`'s `mailbox` in order (logged in afresh); empty when it has none. */
export async function deliveredMessages(
  server: TestServer,
  user: string,
  mailbox: string,
): Promise<DeliveredMessage[]> {
  const client = imapFlowClient(server.port("imap"), user);
  await client.connect();
  try {
    const lock = await client.getMailboxLock(mailbox);
    try {
      const found: DeliveredMessage[] = [];
      if (client.mailbox === false || client.mailbox.exists === 0) return found;
      for await (const message of client.fetch("1:*", { envelope: true, flags: true })) {
        found.push({ subject: message.envelope?.subject ?? "", flags: [...(message.flags ?? [])].sort() });
      }
      return found;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

/** The subjects of `user`'s `mailbox` in order. */
export async function deliveredSubjects(
  server: TestServer,
  user: string,
  mailbox: string,
): Promise<string[]> {
  return (await deliveredMessages(server, user, mailbox)).map((m) => m.subject);
}
