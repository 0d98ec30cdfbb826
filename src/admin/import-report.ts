// What every import and export reports (docs/operations.md "Verify report"): per folder, the messages read
// from the source and those in the target, each side's count and SHA-256 checksum, what was imported or
// skipped, and every damaged input with its reason. Also the helpers both sides of the check share.
import { createHash } from "node:crypto";
import type { AccountId, BlobHash, MailboxId } from "../kit/ids.js";
import { MailError } from "../kit/mail-error.js";
import type { MailboxService } from "../mail/mailbox-service.js";
import type { MessageService } from "../mail/message-service.js";
import type { MailboxEntry, MailboxRecord, MailStore } from "../store/mail-store.js";

/** The services an import or export works through: the mail layer (quota, indexing) and the store's reads. */
export interface MailDeps {
  readonly store: MailStore;
  readonly mailboxes: MailboxService;
  readonly messages: MessageService;
}

/** One message that could not be read, imported or exported, and why. */
export interface Problem {
  /** A file path, an mbox byte offset (`file@offset`) or `folder/uid`. */
  readonly where: string;
  readonly problem: string;
}

export interface SideSummary {
  readonly count: number;
  /** SHA-256 over the sorted SHA-256 digests of the messages (folderChecksum), hex. */
  readonly sha256: string;
}

export interface FolderReport {
  readonly folder: string;
  readonly source: SideSummary;
  /** The target after the run (before it, on a dry run). */
  readonly target: SideSummary;
  readonly imported: number;
  /** Already in the target (same UID under the same UIDVALIDITY, or the same message bytes). */
  readonly skipped: number;
  /** Source messages not found in the target afterwards (0 when the import is complete). */
  readonly missing: number;
  /** How UIDs were kept: the source's (with its UIDVALIDITY), or new ones, and why. */
  readonly uids: string;
}

export interface TransferReport {
  readonly dryRun: boolean;
  readonly folders: readonly FolderReport[];
  readonly problems: readonly Problem[];
  /** Why nothing was written (damaged input without skipDamaged), or null. */
  readonly refused: string | null;
  /** Folders the source lists as subscribed and the target now subscribes (Maildir's `subscriptions`). */
  readonly subscribed?: readonly string[];
}

export const REFUSED_DAMAGED =
  "nothing imported: the source has damaged messages (listed above); fix them, or import the rest with --skip-damaged";

export interface TransferOptions {
  /** Report what would happen; write nothing. */
  readonly dryRun: boolean;
  /** Import the undamaged messages when some are damaged (they are reported either way). */
  readonly skipDamaged: boolean;
  /** Called after each message with the count done and the total (a progress bar on a terminal). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** True when every folder holds all its source messages and nothing was damaged. */
export function isComplete(report: TransferReport): boolean {
  return (
    report.refused === null &&
    report.problems.length === 0 &&
    report.folders.every((f) => f.missing === 0 || report.dryRun)
  );
}

export const sha256Hex = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** A folder's checksum: SHA-256 over its messages' digests sorted, so order and UIDs do not matter. */
export function folderChecksum(digests: readonly string[]): string {
  return createHash("sha256")
    .update([...digests].sort().join("\n"))
    .digest("hex");
}

/**
 * The message with every bare LF as CRLF (RFC 5322 §2.1: lines end in CRLF), as IMAP serves it and as
 * SMTP/LMTP delivery stores it. Maildir and mbox files keep LF line ends; an import stores CRLF.
 */
export function toCrlf(bytes: Uint8Array): Buffer {
  const source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let bare = 0;
  for (let i = 0; i < source.length; i++) if (source[i] === 0x0a && source[i - 1] !== 0x0d) bare++;
  if (bare === 0) return source;
  const out = Buffer.alloc(source.length + bare);
  let o = 0;
  for (let i = 0; i < source.length; i++) {
    const byte = source[i] as number;
    if (byte === 0x0a && source[i - 1] !== 0x0d) out[o++] = 0x0d;
    out[o++] = byte;
  }
  return out;
}

/** The message with CRLF line ends as LF, for Maildir and mbox files written by an export. */
export function toLf(bytes: Uint8Array): Buffer {
  const source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = Buffer.alloc(source.length);
  let o = 0;
  for (let i = 0; i < source.length; i++) {
    if (source[i] === 0x0d && source[i + 1] === 0x0a) continue;
    out[o++] = source[i] as number;
  }
  return out.subarray(0, o);
}

/** The SHA-256 of every message of a target mailbox, read back from the store, by entry. */
export async function digestsOf(
  deps: MailDeps,
  mailboxId: MailboxId,
): Promise<{ entry: MailboxEntry; digest: string }[]> {
  const entries = await deps.store.messages.listEntries(mailboxId);
  const lacking = entries.filter((e) => e.blobHash === undefined).map((e) => e.emailId);
  const summaries = lacking.length === 0 ? new Map() : await deps.store.messages.getEmailSummaries(lacking);
  const out: { entry: MailboxEntry; digest: string }[] = [];
  for (const entry of entries) {
    const blobHash = entry.blobHash ?? summaries.get(entry.emailId)?.blobHash;
    if (blobHash === undefined) continue;
    out.push({ entry, digest: sha256Hex(await deps.messages.readAll(blobHash)) });
  }
  return out;
}

/** The target side of a folder report and the source digests it lacks. */
export async function compareWithTarget(
  deps: MailDeps,
  accountId: AccountId,
  folder: string,
  sourceDigests: readonly string[],
): Promise<{ target: SideSummary; missing: number }> {
  const mailbox = await deps.mailboxes.find(accountId, folder);
  const target = mailbox ? (await digestsOf(deps, mailbox.id)).map((d) => d.digest) : [];
  const left = new Map<string, number>();
  for (const digest of target) left.set(digest, (left.get(digest) ?? 0) + 1);
  let missing = 0;
  for (const digest of sourceDigests) {
    const n = left.get(digest) ?? 0;
    if (n === 0) missing++;
    else left.set(digest, n - 1);
  }
  return { target: { count: target.length, sha256: folderChecksum(target) }, missing };
}

/** A folder's verify line: the source as read against the target as stored now. */
export async function finishFolder(
  deps: MailDeps,
  accountId: AccountId,
  name: string,
  mailbox: MailboxRecord | undefined,
  sourceDigests: readonly string[],
  counts: { readonly imported: number; readonly skipped: number; readonly uids: string },
): Promise<FolderReport> {
  const source = { count: sourceDigests.length, sha256: folderChecksum(sourceDigests) };
  if (mailbox === undefined) {
    // A dry run into a folder that does not exist yet: the target is empty.
    const target = { count: 0, sha256: folderChecksum([]) };
    return { folder: name, source, target, ...counts, missing: sourceDigests.length };
  }
  const { target, missing } = await compareWithTarget(deps, accountId, name, sourceDigests);
  return { folder: name, source, target, ...counts, missing };
}

/** The report as text lines for a terminal: one line per folder, then the problems. */
export function formatReport(report: TransferReport, verb: "import" | "export"): string[] {
  const lines: string[] = [];
  const did = report.dryRun ? `would ${verb}` : `${verb}ed`;
  for (const f of report.folders) {
    const match =
      f.source.sha256 === f.target.sha256
        ? "identical"
        : f.missing === 0
          ? `all present (the target holds ${f.target.count - f.source.count} more)`
          : `${f.missing} not in the target`;
    lines.push(
      `${f.folder}: ${did} ${f.imported}, skipped ${f.skipped}; source ${f.source.count} (sha256 ${f.source.sha256.slice(0, 16)}…), target ${f.target.count} (sha256 ${f.target.sha256.slice(0, 16)}…): ${match}; UIDs: ${f.uids}`,
    );
  }
  for (const p of report.problems) lines.push(`damaged: ${p.where}: ${p.problem}`);
  if (report.refused !== null) {
    lines.push(report.refused);
    return lines;
  }
  if (report.subscribed !== undefined && report.subscribed.length > 0) {
    lines.push(`${report.dryRun ? "would subscribe" : "subscribed"}: ${report.subscribed.join(", ")}`);
  }
  const total = report.folders.reduce((n, f) => n + f.imported, 0);
  lines.push(
    `${report.folders.length} folder(s), ${did} ${total} message(s), ${report.problems.length} problem(s)` +
      (report.dryRun ? " (dry run: nothing written)" : ""),
  );
  return lines;
}

/**
 * Stores one message's bytes for an import; a message over the size limit is reported in `problems` and
 * gives null (the import goes on), anything else throws.
 */
export async function storeImportedBlob(
  deps: MailDeps,
  raw: Buffer,
  where: string,
  problems: Problem[],
): Promise<BlobHash | null> {
  try {
    return (await deps.messages.storeBlob(raw)).hash;
  } catch (error) {
    if (!(error instanceof MailError) || error.code !== "tooBig") throw error;
    problems.push({ where, problem: error.publicText });
    return null;
  }
}
