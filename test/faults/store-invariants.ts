// The invariants a store must keep through any crash (docs/reliability.md), checked against the ledger
// of what the load sent and what the server acknowledged, and against the previous check: every
// acknowledged message present and byte-identical, no message twice in a mailbox, UIDs never reused within
// a UIDVALIDITY and UIDNEXT above every UID given out, MODSEQs never going back, counts and quota usage
// equal to a recount, every blob present and hash-correct.
import { createHash } from "node:crypto";
import type { AccountId } from "../../src/kit/ids.js";
import type { MailStore } from "../../src/store/mail-store.js";
import { verifyStore } from "../../src/store/store-verification.js";
import { withoutTrace } from "../helpers/inbound-server.js";
import { ACCOUNTS, type Ledger, LOAD_MAILBOXES, tokenOf } from "./fault-load.js";

/** What one check saw, for the next one to compare with. */
export interface Checkpoint {
  /** By mailbox id: UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ. */
  readonly mailboxes: Map<
    string,
    { account: string; uidValidity: number; uidNext: number; highestModSeq: number }
  >;
  /** By account address. */
  readonly accountModSeq: Map<string, number>;
  /** By `mailbox id|uid`: the entry's MODSEQ. */
  readonly entryModSeq: Map<string, number>;
}

export const emptyCheckpoint = (): Checkpoint => ({
  mailboxes: new Map(),
  accountModSeq: new Map(),
  entryModSeq: new Map(),
});

/** Checks the stopped server's store; returns the problems found (empty: all invariants hold). */
export async function checkInvariants(
  store: MailStore,
  ledger: Ledger,
  previous: Checkpoint,
): Promise<{ problems: string[]; checkpoint: Checkpoint; messages: number }> {
  const problems: string[] = [...ledger.violations.splice(0)];
  const checkpoint = emptyCheckpoint();
  /** `account|token` → mailbox names holding it (one name per entry). */
  const placesOf = new Map<string, string[]>();
  const flaggedOf = new Map<string, boolean[]>();
  let messages = 0;
  for (const address of ACCOUNTS) {
    const account = await store.accounts.findByAddress(address);
    if (!account) {
      problems.push(`account ${address} is gone`);
      continue;
    }
    const lastModSeq = previous.accountModSeq.get(address) ?? 0;
    if (account.highestModSeq < lastModSeq) {
      problems.push(`${address}: HIGHESTMODSEQ went back from ${lastModSeq} to ${account.highestModSeq}`);
    }
    checkpoint.accountModSeq.set(address, account.highestModSeq);
    const chains = new Map<string, number>();
    for (const mailbox of await store.mailboxes.list(account.id as AccountId)) {
      const chain = /^R(\d+)-\d+$/.exec(mailbox.name)?.[1];
      if (chain !== undefined) chains.set(chain, (chains.get(chain) ?? 0) + 1);
      const before = previous.mailboxes.get(mailbox.id);
      const where = `${address} ${mailbox.name}`;
      if (before) {
        if (before.uidValidity !== mailbox.uidValidity) problems.push(`${where}: UIDVALIDITY changed`);
        if (mailbox.uidNext < before.uidNext) problems.push(`${where}: UIDNEXT went back`);
        if (mailbox.highestModSeq < before.highestModSeq) problems.push(`${where}: HIGHESTMODSEQ went back`);
      }
      if (mailbox.highestModSeq > account.highestModSeq) {
        problems.push(`${where}: HIGHESTMODSEQ ${mailbox.highestModSeq} above the account's`);
      }
      checkpoint.mailboxes.set(mailbox.id, {
        account: address,
        uidValidity: mailbox.uidValidity,
        uidNext: mailbox.uidNext,
        highestModSeq: mailbox.highestModSeq,
      });
      const entries = await store.messages.listEntries(mailbox.id);
      const summaries = await store.messages.getEmailSummaries(entries.map((e) => e.emailId));
      const seen = new Set<string>();
      let bytes = 0;
      let unseen = 0;
      let deleted = 0;
      let previousUid = 0;
      for (const entry of entries) {
        messages++;
        bytes += entry.size;
        if (!entry.flags.system.has("\\Seen")) unseen++;
        if (entry.flags.system.has("\\Deleted")) deleted++;
        if (entry.uid <= previousUid) problems.push(`${where}: UIDs out of order at ${entry.uid}`);
        previousUid = entry.uid;
        if (entry.uid >= mailbox.uidNext) problems.push(`${where}: UID ${entry.uid} not below UIDNEXT`);
        if (entry.modSeq > mailbox.highestModSeq)
          problems.push(`${where}: UID ${entry.uid} MODSEQ above mailbox`);
        const entryKey = `${mailbox.id}|${entry.uid}`;
        if (entry.modSeq < (previous.entryModSeq.get(entryKey) ?? 0)) {
          problems.push(`${where}: UID ${entry.uid} MODSEQ went back`);
        }
        checkpoint.entryModSeq.set(entryKey, entry.modSeq);
        const summary = summaries.get(entry.emailId);
        if (!summary) {
          problems.push(`${where}: UID ${entry.uid} has no email`);
          continue;
        }
        let raw: Buffer;
        try {
          raw = await store.blobs.read(summary.blobHash);
        } catch (error) {
          problems.push(`${where}: UID ${entry.uid} unreadable: ${(error as Error).message}`);
          continue;
        }
        if (raw.byteLength !== summary.size || raw.byteLength !== entry.size) {
          problems.push(`${where}: UID ${entry.uid} is ${raw.byteLength} bytes, recorded ${summary.size}`);
        }
        const token = tokenOf(raw);
        if (token === undefined) {
          problems.push(`${where}: UID ${entry.uid} is no message the load sent`);
          continue;
        }
        const key = `${address}|${token}`;
        const fate = ledger.fates.get(key);
        if (!fate) {
          problems.push(`${where}: UID ${entry.uid} holds unknown ${token}`);
          continue;
        }
        const stored = fate.via === "lmtp" ? withoutTrace(raw) : raw;
        if (!stored.equals(fate.bytes)) {
          problems.push(
            `${where}: UID ${entry.uid} (${token}) differs from what was sent: ${createHash("sha256").update(stored).digest("hex").slice(0, 12)}`,
          );
        }
        if (seen.has(token)) problems.push(`${where}: ${token} is in the mailbox twice`);
        seen.add(token);
        ledger.claimUid(address, mailbox.uidValidity, entry.uid, token);
        const places = placesOf.get(key) ?? [];
        places.push(mailbox.name.startsWith("R") ? "R" : mailbox.name);
        placesOf.set(key, places);
        const flags = flaggedOf.get(key) ?? [];
        flags.push(entry.flags.system.has("\\Flagged"));
        flaggedOf.set(key, flags);
      }
      if (mailbox.messageCount !== entries.length)
        problems.push(`${where}: count ${mailbox.messageCount} ≠ ${entries.length}`);
      if (mailbox.totalBytes !== bytes) problems.push(`${where}: size ${mailbox.totalBytes} ≠ ${bytes}`);
      if (mailbox.unseenCount !== unseen)
        problems.push(`${where}: unseen ${mailbox.unseenCount} ≠ ${unseen}`);
      if (mailbox.deletedCount !== deleted)
        problems.push(`${where}: deleted ${mailbox.deletedCount} ≠ ${deleted}`);
    }
    for (const [chain, count] of chains) {
      if (count > 1) problems.push(`${address}: rename chain R${chain} exists ${count} times`);
    }
    const usage = await store.accounts.get(account.id);
    let recount = 0;
    let recountBytes = 0;
    for (const mailbox of await store.mailboxes.list(account.id as AccountId)) {
      const entries = await store.messages.listEntries(mailbox.id);
      recount += entries.length;
      recountBytes += entries.reduce((sum, e) => sum + e.size, 0);
    }
    if (usage?.messageCount !== recount)
      problems.push(`${address}: message count ${usage?.messageCount} ≠ ${recount}`);
    if (usage?.usedBytes !== recountBytes)
      problems.push(`${address}: quota usage ${usage?.usedBytes} ≠ ${recountBytes}`);
  }
  for (const [mailboxId, state] of checkpoint.mailboxes) {
    for (const [key, _token] of ledger.uidOwners) {
      const [account, uidValidity, uid] = key.split("|");
      if (
        account === state.account &&
        Number(uidValidity) === state.uidValidity &&
        Number(uid) >= state.uidNext
      ) {
        problems.push(`mailbox ${mailboxId}: UID ${uid} was given out but UIDNEXT is ${state.uidNext}`);
      }
    }
  }
  for (const [key, fate] of ledger.fates) {
    const places = placesOf.get(key) ?? [];
    const count = (name: string) => places.filter((p) => p === name).length;
    if (fate.isAcked && !fate.isExpungeSent && places.length === 0)
      problems.push(`acknowledged ${key} is lost`);
    if (fate.via === "imap" && fate.isAcked && places[0] !== "R" && !places.includes("R")) {
      const inWork = count("Work");
      const inMoved = count("Moved");
      if (fate.isMoveSent && inWork + inMoved !== 1)
        problems.push(`${key}: MOVE left it in Work ${inWork}×, Moved ${inMoved}×`);
      if (fate.isMoveAcked && inWork !== 0) problems.push(`${key}: still in Work after its MOVE`);
      if (fate.isExpungeAcked && inWork !== 0) problems.push(`${key}: still in Work after its EXPUNGE`);
      if (!fate.isMoveSent && !fate.isExpungeSent && inWork !== 1)
        problems.push(`${key}: in Work ${inWork}×`);
      if (fate.isCopyAcked && count("Copies") !== 1)
        problems.push(`${key}: in Copies ${count("Copies")}× after its COPY`);
    }
    if (fate.isFlagAcked && (flaggedOf.get(key) ?? []).includes(false))
      problems.push(`${key}: lost its \\Flagged`);
  }
  return { problems, checkpoint, messages };
}

/** After cleanup (purge + garbage collection with no grace): no blob left that nothing needs, none missing. */
export async function checkBlobs(store: MailStore): Promise<string[]> {
  await store.messages.purgeDestroyedEmails(0);
  await store.blobs.collectGarbage((hash) => store.messages.isBlobReferenced(hash), 0);
  const report = await verifyStore(store);
  return [
    ...report.orphans.map((hash) => `orphaned blob ${hash} after cleanup`),
    ...report.damaged.map((d) => `${d.account} ${d.mailbox} UID ${d.uid}: ${d.problem}`),
    ...report.wrongCounts.map((where) => `${where}: counts differ from a recount`),
  ];
}

export { LOAD_MAILBOXES };
