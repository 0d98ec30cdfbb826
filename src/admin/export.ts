// `postfach export maildir|mbox`: an account's folders (or one) written as a Dovecot-readable Maildir++
// tree (flags in file names, dovecot-keywords, dovecot-uidlist with UIDVALIDITY, UIDs and imported POP3
// UIDLs) or as mboxrd files. A message whose bytes cannot be read (blob missing or damaged) is skipped
// and reported; the written files are read back for the verify report.
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { AccountId, Uid } from "../kit/ids.js";
import { MailError } from "../kit/mail-error.js";
import type { FlagSet, MailboxRecord } from "../store/mail-store.js";
import {
  digestsOf,
  type FolderReport,
  folderChecksum,
  type MailDeps,
  type Problem,
  sha256Hex,
  type TransferReport,
  toCrlf,
  toLf,
} from "./import-report.js";
import { encodeModifiedUtf7, maildirInfo, parseMaildirFileName } from "./maildir-format.js";
import { readMbox, writeMboxRecord } from "./mbox-format.js";

export type ExportFormat = "maildir" | "mbox";

export interface ExportOptions {
  /** Only this folder (by its full name); all folders when undefined. */
  readonly folder: string | undefined;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Exports into `dest`: a Maildir++ root (maildir), or with mbox a directory of `<folder>.mbox` files
 * (`Lists/Größe` → `Lists/Größe.mbox`), or, for a single folder, the mbox file itself. `dest` must not
 * exist yet, or be an empty directory, so an export never mixes with older files.
 */
export async function exportAccount(
  deps: MailDeps,
  accountId: AccountId,
  format: ExportFormat,
  dest: string,
  options: ExportOptions,
): Promise<TransferReport> {
  const all = await deps.mailboxes.list(accountId);
  const mailboxes = options.folder === undefined ? all : all.filter((m) => m.name === options.folder);
  if (mailboxes.length === 0) throw new MailError("nonexistent", `No folder ${options.folder ?? ""}`);
  await requireFreeDestination(dest);
  const problems: Problem[] = [];
  const total = mailboxes.reduce((n, m) => n + m.messageCount, 0);
  let done = 0;
  const tick = (): void => options.onProgress?.(++done, total);
  const folders: FolderReport[] = [];
  for (const mailbox of mailboxes) {
    if (format === "maildir") {
      folders.push(await exportMaildirFolder(deps, mailbox, dest, problems, tick));
    } else {
      const file = options.folder === undefined ? join(dest, `${mailbox.name}.mbox`) : dest;
      folders.push(await exportMboxFolder(deps, mailbox, file, problems, tick));
    }
  }
  return { dryRun: false, folders, problems, refused: null };
}

async function requireFreeDestination(dest: string): Promise<void> {
  const info = await stat(dest).catch(() => undefined);
  if (info === undefined) return;
  if (info.isDirectory() && (await readdir(dest)).length === 0) return;
  throw new MailError("alreadyExists", `${dest} already exists; export into a new path`);
}

interface ReadableMessage {
  readonly uid: Uid;
  readonly bytes: Buffer;
  readonly digest: string;
  readonly flags: FlagSet;
  readonly internalDateMs: number;
}

/** The folder's messages in UID order; those whose bytes cannot be read are reported and left out. */
async function* readableMessages(
  deps: MailDeps,
  mailbox: MailboxRecord,
  problems: Problem[],
  tick: () => void,
): AsyncGenerator<ReadableMessage> {
  const entries = await deps.store.messages.listEntries(mailbox.id);
  const lacking = entries.filter((e) => e.blobHash === undefined).map((e) => e.emailId);
  const summaries = lacking.length === 0 ? new Map() : await deps.store.messages.getEmailSummaries(lacking);
  for (const entry of entries) {
    tick();
    const blobHash = entry.blobHash ?? summaries.get(entry.emailId)?.blobHash;
    try {
      if (blobHash === undefined) throw new Error("the message's email is gone");
      // The blob store checks the bytes against their SHA-256 as it reads them.
      const bytes = await deps.messages.readAll(blobHash);
      if (bytes.length !== entry.size)
        throw new Error(`${bytes.length} bytes where ${entry.size} were stored`);
      yield {
        uid: entry.uid,
        bytes,
        digest: sha256Hex(bytes),
        flags: entry.flags,
        internalDateMs: entry.internalDateMs,
      };
    } catch (error) {
      const reason = error instanceof MailError ? error.publicText : (error as Error).message;
      problems.push({ where: `${mailbox.name}/${entry.uid}`, problem: `skipped: ${reason}` });
    }
  }
}

/** The Maildir++ directory of a folder: the root for INBOX, `.A.B` (modified UTF-7) for `A/B`. */
function maildirFolderPath(root: string, name: string): string {
  if (name === "INBOX") return root;
  const levels = name.split("/");
  if (levels.some((level) => level.includes("."))) {
    throw new Error(`the folder name ${JSON.stringify(name)} has a "." (Maildir++'s separator)`);
  }
  return join(root, `.${levels.map(encodeModifiedUtf7).join(".")}`);
}

async function exportMaildirFolder(
  deps: MailDeps,
  mailbox: MailboxRecord,
  root: string,
  problems: Problem[],
  tick: () => void,
): Promise<FolderReport> {
  let directory: string;
  try {
    directory = maildirFolderPath(root, mailbox.name);
  } catch (error) {
    problems.push({ where: mailbox.name, problem: `folder skipped: ${(error as Error).message}` });
    return emptyReport(deps, mailbox);
  }
  for (const sub of ["cur", "new", "tmp"])
    await mkdir(join(directory, sub), { recursive: true, mode: 0o700 });
  const uidls = await deps.store.messages.listImportedUidls(mailbox.id);
  const keywordLetters = new Map<string, string>();
  const uidLines: string[] = [];
  const sourceDigests: string[] = [];
  let exported = 0;
  for await (const message of readableMessages(deps, mailbox, problems, tick)) {
    const letters: string[] = [];
    let isPassed = false;
    for (const keyword of message.flags.keywords) {
      if (keyword.toLowerCase() === "$forwarded") {
        isPassed = true;
        continue;
      }
      let letter = keywordLetters.get(keyword);
      if (letter === undefined && keywordLetters.size < 26) {
        letter = String.fromCharCode(97 + keywordLetters.size);
        keywordLetters.set(keyword, letter);
      }
      if (letter === undefined) {
        problems.push({
          where: `${mailbox.name}/${message.uid}`,
          problem: `keyword ${keyword} left out (Maildir has letters for 26 keywords per folder)`,
        });
      } else {
        letters.push(letter);
      }
    }
    const seconds = Math.floor(message.internalDateMs / 1000);
    const body = toLf(message.bytes);
    const base = `${seconds}.P${message.uid}Q${randomBytes(4).toString("hex")}.postfach,S=${body.length}`;
    const info = maildirInfo(message.flags.system, isPassed ? [...letters, "P"] : letters);
    const path = join(directory, "cur", `${base}${info}`);
    await writeDurably(path, body);
    const when = new Date(message.internalDateMs);
    await utimes(path, when, when);
    const uidl = uidls.get(message.uid);
    uidLines.push(`${message.uid}${uidl === undefined ? "" : ` P${uidl}`} :${base}`);
    sourceDigests.push(message.digest);
    exported++;
  }
  const keywordsFile = [...keywordLetters.entries()].map(
    ([k, letter]) => `${letter.charCodeAt(0) - 97} ${k}\n`,
  );
  if (keywordsFile.length > 0) await writeFile(join(directory, "dovecot-keywords"), keywordsFile.join(""));
  const header = `3 V${mailbox.uidValidity} N${mailbox.uidNext} G${randomBytes(16).toString("hex")}\n`;
  await writeFile(join(directory, "dovecot-uidlist"), header + uidLines.map((l) => `${l}\n`).join(""));
  // Read back what was written: the target side of the verify report.
  const written: string[] = [];
  for (const file of await readdir(join(directory, "cur"))) {
    if (!parseMaildirFileName(file, new Map()).ok) continue;
    written.push(sha256Hex(toCrlf(await readFile(join(directory, "cur", file)))));
  }
  return report(mailbox.name, sourceDigests, written, exported, "kept in dovecot-uidlist");
}

async function exportMboxFolder(
  deps: MailDeps,
  mailbox: MailboxRecord,
  file: string,
  problems: Problem[],
  tick: () => void,
): Promise<FolderReport> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const handle = await open(file, "wx", 0o600);
  const sourceDigests: string[] = [];
  let exported = 0;
  try {
    for await (const message of readableMessages(deps, mailbox, problems, tick)) {
      await handle.write(writeMboxRecord(toLf(message.bytes), message.flags, message.internalDateMs));
      sourceDigests.push(message.digest);
      exported++;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  const written: string[] = [];
  for await (const record of readMbox(file)) {
    if (record.kind === "message") written.push(sha256Hex(toCrlf(record.bytes)));
    else
      problems.push({ where: `${file}@${record.offset}`, problem: `reads back damaged: ${record.problem}` });
  }
  return report(mailbox.name, sourceDigests, written, exported, "not kept (mbox has none)");
}

async function writeDurably(path: string, bytes: Buffer): Promise<void> {
  const handle = await open(path, "wx", 0o600);
  try {
    await handle.write(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function report(
  folder: string,
  sourceDigests: readonly string[],
  written: readonly string[],
  exported: number,
  uids: string,
): FolderReport {
  const left = new Map<string, number>();
  for (const digest of written) left.set(digest, (left.get(digest) ?? 0) + 1);
  let missing = 0;
  for (const digest of sourceDigests) {
    const n = left.get(digest) ?? 0;
    if (n === 0) missing++;
    else left.set(digest, n - 1);
  }
  return {
    folder,
    source: { count: sourceDigests.length, sha256: folderChecksum(sourceDigests) },
    target: { count: written.length, sha256: folderChecksum(written) },
    imported: exported,
    skipped: 0,
    missing,
    uids,
  };
}

async function emptyReport(deps: MailDeps, mailbox: MailboxRecord): Promise<FolderReport> {
  const digests = (await digestsOf(deps, mailbox.id).catch(() => [])).map((d) => d.digest);
  return report(mailbox.name, digests, [], 0, "folder not exported");
}
