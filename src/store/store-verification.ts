// The store's self-check (`postfach doctor`, docs/reliability.md): every message's blob is present and
// hashes to its name, every stored size matches, and no blob is left that nothing references. Written
// against the MailStore interface only, so both backends are checked by the same code.
import type { AccountId, BlobHash } from "../kit/ids.js";
import { isMailError } from "../kit/mail-error.js";
import { forgetVerifiedBlobs } from "./blob/blob-integrity.js";
import type { MailStore } from "./mail-store.js";

/** One message whose content failed the check. */
export interface DamagedMessage {
  readonly account: string;
  readonly mailbox: string;
  readonly uid: number;
  readonly blobHash: BlobHash;
  readonly problem: "missing" | "corrupted" | "wrongSize";
}

export interface StoreVerification {
  readonly accounts: number;
  readonly mailboxes: number;
  readonly messages: number;
  /** Distinct blobs read and checked for the messages. */
  readonly blobsChecked: number;
  /** Blobs in storage (prefixed ones included). */
  readonly blobsStored: number;
  readonly damaged: readonly DamagedMessage[];
  /** Blobs nothing references (and no referenced prefixed blob reads on): garbage collection removes them. */
  readonly orphans: readonly BlobHash[];
  /** Mailboxes whose stored counts differ from a recount of their entries. */
  readonly wrongCounts: readonly string[];
}

/** Reads every message's content once per distinct blob; memory grows with the number of blobs, not their size. */
export async function verifyStore(store: MailStore): Promise<StoreVerification> {
  // Reads trust a blob this process already hashed; the doctor must hash every one again.
  forgetVerifiedBlobs();
  const blobResults = new Map<BlobHash, DamagedMessage["problem"] | null>();
  const damaged: DamagedMessage[] = [];
  const wrongCounts: string[] = [];
  let mailboxCount = 0;
  let messageCount = 0;
  const accounts = await store.accounts.list();
  for (const account of accounts) {
    let accountMessages = 0;
    let accountBytes = 0;
    for (const mailbox of await store.mailboxes.list(account.id as AccountId)) {
      mailboxCount++;
      const entries = await store.messages.listEntries(mailbox.id);
      const summaries = await store.messages.getEmailSummaries(entries.map((entry) => entry.emailId));
      let bytes = 0;
      for (const entry of entries) {
        messageCount++;
        bytes += entry.size;
        const summary = summaries.get(entry.emailId);
        if (!summary) continue;
        let problem = blobResults.get(summary.blobHash);
        if (problem === undefined) {
          problem = await checkBlob(store, summary.blobHash, summary.size);
          blobResults.set(summary.blobHash, problem);
        }
        if (problem !== null) {
          damaged.push({
            account: account.address,
            mailbox: mailbox.name,
            uid: entry.uid,
            blobHash: summary.blobHash,
            problem,
          });
        }
      }
      if (mailbox.messageCount !== entries.length || mailbox.totalBytes !== bytes) {
        wrongCounts.push(`${account.address} ${mailbox.name}`);
      }
      accountMessages += entries.length;
      accountBytes += bytes;
    }
    if (account.messageCount !== accountMessages || account.usedBytes !== accountBytes) {
      wrongCounts.push(account.address);
    }
  }
  const { stored, orphans } = await findOrphans(store);
  return {
    accounts: accounts.length,
    mailboxes: mailboxCount,
    messages: messageCount,
    blobsChecked: blobResults.size,
    blobsStored: stored,
    damaged,
    orphans,
    wrongCounts,
  };
}

async function checkBlob(
  store: MailStore,
  hash: BlobHash,
  size: number,
): Promise<DamagedMessage["problem"] | null> {
  try {
    const bytes = await store.blobs.read(hash);
    return bytes.byteLength === size ? null : "wrongSize";
  } catch (error) {
    if (isMailError(error) && error.code === "nonexistent") return "missing";
    if (isMailError(error) && error.code === "corrupted") return "corrupted";
    throw error;
  }
}

/** Blobs that no email or upload references, directly or as the base of a referenced prefixed blob. */
async function findOrphans(store: MailStore): Promise<{ stored: number; orphans: BlobHash[] }> {
  const plain: BlobHash[] = [];
  const neededBases = new Set<BlobHash>();
  const orphans: BlobHash[] = [];
  let stored = 0;
  for await (const blob of store.blobs.listBlobs()) {
    stored++;
    if (blob.base === null) plain.push(blob.hash);
    else if (await store.messages.isBlobReferenced(blob.hash)) neededBases.add(blob.base);
    else orphans.push(blob.hash);
  }
  for (const hash of plain) {
    if (!neededBases.has(hash) && !(await store.messages.isBlobReferenced(hash))) orphans.push(hash);
  }
  return { stored, orphans };
}
