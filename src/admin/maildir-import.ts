// `postfach import maildir`: a Dovecot/Courier Maildir++ tree into an account through the mail layer
// (quota, indexing), keeping what clients cached: folders, flags and keywords, dovecot-uidlist UIDs and
// UIDVALIDITY (so IMAP clients do not resync), POP3 UIDLs, INTERNALDATE from the file's mtime.
// Re-runs skip what is there; damaged files are reported; a verify report ends every run.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { AccountId, Uid } from "../kit/ids.js";
import { MailError } from "../kit/mail-error.js";
import type { SystemFlag } from "../store/mail-store.js";
import {
  digestsOf,
  type FolderReport,
  finishFolder,
  type MailDeps,
  type Problem,
  REFUSED_DAMAGED,
  sha256Hex,
  storeImportedBlob,
  type TransferOptions,
  type TransferReport,
  toCrlf,
} from "./import-report.js";
import {
  decodeMaildirFolderName,
  type MaildirFileName,
  parseDovecotKeywords,
  parseDovecotSubscriptions,
  parseDovecotUidList,
  parseMaildirFileName,
  type UidList,
} from "./maildir-format.js";

/** Messages appended per transaction: large enough to be fast, small enough to bound memory. */
const BATCH = 64;

interface SourceMessage {
  readonly path: string;
  readonly name: MaildirFileName;
  /** From dovecot-uidlist, when it lists the file. */
  readonly uid: number | undefined;
  readonly pop3Uidl: string | undefined;
}

interface SourceFolder {
  readonly name: string;
  readonly directory: string;
  readonly uidList: UidList | undefined;
  readonly messages: readonly SourceMessage[];
}

/** Reads the tree's layout (names, flags, UIDs) without reading messages; damaged entries go to `problems`. */
export async function scanMaildir(root: string, problems: Problem[]): Promise<SourceFolder[]> {
  const rootStat = await stat(root).catch(() => undefined);
  if (!rootStat?.isDirectory()) throw new MailError("nonexistent", `${root} is not a directory`);
  if (!(await isMaildir(root))) {
    throw new MailError("invalidInput", `${root} is not a Maildir (no cur/ or new/ folder)`);
  }
  const folders = [await scanFolder("INBOX", root, problems)];
  const names = new Set(["INBOX"]);
  for (const entry of (await readdir(root, { withFileTypes: true })).sort((a, b) => cmp(a.name, b.name))) {
    if (!entry.isDirectory() || !entry.name.startsWith(".") || entry.name === "." || entry.name === "..")
      continue;
    const directory = join(root, entry.name);
    if (!(await isMaildir(directory))) continue;
    let name: string;
    try {
      name = decodeMaildirFolderName(entry.name);
    } catch (error) {
      problems.push({ where: directory, problem: `folder name: ${(error as Error).message}` });
      continue;
    }
    if (names.has(name)) {
      problems.push({ where: directory, problem: `folder ${name} appears twice` });
      continue;
    }
    names.add(name);
    folders.push(await scanFolder(name, directory, problems));
  }
  return folders;
}

async function isMaildir(directory: string): Promise<boolean> {
  for (const sub of ["cur", "new"]) {
    if ((await stat(join(directory, sub)).catch(() => undefined))?.isDirectory()) return true;
  }
  return false;
}

async function scanFolder(name: string, directory: string, problems: Problem[]): Promise<SourceFolder> {
  const keywordText = await readFile(join(directory, "dovecot-keywords"), "utf8").catch(() => "");
  const keywords = parseDovecotKeywords(keywordText);
  let uidList: UidList | undefined;
  const uidListText = await readFile(join(directory, "dovecot-uidlist"), "utf8").catch(() => undefined);
  if (uidListText !== undefined) {
    try {
      uidList = parseDovecotUidList(uidListText);
    } catch (error) {
      problems.push({
        where: join(directory, "dovecot-uidlist"),
        problem: `${(error as Error).message}; UIDs not kept for this folder`,
      });
    }
  }
  const messages: SourceMessage[] = [];
  const seen = new Set<string>();
  for (const sub of ["cur", "new"]) {
    const files = await readdir(join(directory, sub), { withFileTypes: true }).catch(() => []);
    for (const file of files.sort((a, b) => cmp(a.name, b.name))) {
      const path = join(directory, sub, file.name);
      if (!file.isFile()) {
        problems.push({ where: path, problem: "not a regular file" });
        continue;
      }
      const parsed = parseMaildirFileName(file.name, keywords);
      if (!parsed.ok) {
        problems.push({ where: path, problem: parsed.problem });
        continue;
      }
      if (seen.has(parsed.name.base)) {
        problems.push({ where: path, problem: "a second file with the same unique name" });
        continue;
      }
      seen.add(parsed.name.base);
      if (parsed.name.unknownLetters.length > 0) {
        problems.push({
          where: path,
          problem: `keyword letters ${parsed.name.unknownLetters.join("")} not in dovecot-keywords (ignored)`,
        });
      }
      const record = uidList?.records.get(parsed.name.base);
      messages.push({ path, name: parsed.name, uid: record?.uid, pop3Uidl: record?.pop3Uidl });
    }
  }
  // Listed messages in UID order (the store requires ascending UIDs), then the rest, which Dovecot had
  // not seen yet and which get the next UIDs as it would have given them.
  messages.sort((a, b) => (a.uid ?? Number.MAX_SAFE_INTEGER) - (b.uid ?? Number.MAX_SAFE_INTEGER));
  return { name, directory, uidList, messages };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Imports a Maildir++ tree into the account (or, with dryRun, reports what it would do). */
export async function importMaildir(
  deps: MailDeps,
  accountId: AccountId,
  root: string,
  options: TransferOptions,
): Promise<TransferReport> {
  const problems: Problem[] = [];
  const folders = await scanMaildir(root, problems);
  const isDamaged = problems.some((p) => !p.problem.endsWith("(ignored)"));
  if (isDamaged && !options.skipDamaged && !options.dryRun) {
    return { dryRun: options.dryRun, folders: [], problems, refused: REFUSED_DAMAGED };
  }
  const total = folders.reduce((n, f) => n + f.messages.length, 0);
  let done = 0;
  const reports: FolderReport[] = [];
  for (const folder of folders) {
    reports.push(
      await importFolder(deps, accountId, folder, options, problems, () => {
        done++;
        options.onProgress?.(done, total);
      }),
    );
  }
  const subscribed = await importSubscriptions(deps, accountId, root, options.dryRun, problems);
  return { dryRun: options.dryRun, folders: reports, problems, refused: null, subscribed };
}

/**
 * Dovecot's `subscriptions` file (in the Maildir root) becomes the account's IMAP subscriptions, so a
 * client showing subscribed folders only shows the same ones. Subscriptions are only added: one the
 * account made itself is kept, and a re-run changes nothing. A line that does not decode is reported.
 */
async function importSubscriptions(
  deps: MailDeps,
  accountId: AccountId,
  root: string,
  dryRun: boolean,
  problems: Problem[],
): Promise<string[]> {
  const path = join(root, "subscriptions");
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return [];
  const parsed = parseDovecotSubscriptions(text);
  for (const problem of parsed.problems) problems.push({ where: path, problem: `${problem} (ignored)` });
  if (!dryRun) {
    for (const name of parsed.names) await deps.mailboxes.setSubscribed(accountId, name, true);
  }
  return parsed.names;
}

async function importFolder(
  deps: MailDeps,
  accountId: AccountId,
  folder: SourceFolder,
  options: TransferOptions,
  problems: Problem[],
  tick: () => void,
): Promise<FolderReport> {
  let mailbox = await deps.mailboxes.find(accountId, folder.name);
  // UIDs are kept when the mailbox adopts (or already has) the folder's UIDVALIDITY.
  let keepUids = false;
  let uids = folder.uidList ? "new (no dovecot-uidlist entries)" : "new (no dovecot-uidlist)";
  if (folder.uidList) {
    const { uidValidity } = folder.uidList;
    if (mailbox === undefined || mailbox.uidValidity === uidValidity || mailbox.uidNext === 1) {
      keepUids = true;
      uids = `kept (UIDVALIDITY ${uidValidity})`;
      if (!options.dryRun) {
        mailbox ??= await deps.mailboxes.create(accountId, folder.name);
        // UIDNEXT is raised to the source's at the end, after the listed UIDs went in.
        mailbox = await deps.store.mailboxes.adoptUids(accountId, mailbox.id, uidValidity, 1 as Uid);
      }
    } else {
      uids = `new (the target mailbox already holds messages under UIDVALIDITY ${mailbox.uidValidity})`;
    }
  }
  if (mailbox === undefined && !options.dryRun) mailbox = await deps.mailboxes.create(accountId, folder.name);
  const existing = mailbox ? await digestsOf(deps, mailbox.id) : [];
  const existingUids = new Set<number>(existing.map((d) => d.entry.uid));
  const existingDigests = new Map<string, number>();
  for (const { digest } of existing) existingDigests.set(digest, (existingDigests.get(digest) ?? 0) + 1);
  let uidNext: number = mailbox?.uidNext ?? 1;

  const sourceDigests: string[] = [];
  let imported = 0;
  let skipped = 0;
  let batch: Parameters<MailDeps["messages"]["appendBlobs"]>[2][number][] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0 || mailbox === undefined) return;
    const results = await deps.messages.appendBlobs(accountId, mailbox.id, batch);
    uidNext = Math.max(uidNext, ...results.map((r) => r.uid + 1));
    batch = [];
  };
  for (const message of folder.messages) {
    tick();
    let raw: Buffer;
    let mtimeMs: number;
    try {
      const [bytes, info] = await Promise.all([readFile(message.path), stat(message.path)]);
      raw = toCrlf(bytes);
      mtimeMs = info.mtimeMs;
    } catch (error) {
      problems.push({ where: message.path, problem: `unreadable: ${(error as Error).message}` });
      continue;
    }
    if (raw.length === 0) {
      problems.push({ where: message.path, problem: "empty file" });
      continue;
    }
    const digest = sha256Hex(raw);
    sourceDigests.push(digest);
    const keptUid = keepUids ? message.uid : undefined;
    // Same UID under the same UIDVALIDITY: there already (or expunged in the target since, and not back).
    if (keptUid !== undefined && (existingUids.has(keptUid) || keptUid < uidNext)) {
      skipped++;
      continue;
    }
    const copies = existingDigests.get(digest) ?? 0;
    if (copies > 0 && keptUid === undefined) {
      existingDigests.set(digest, copies - 1);
      skipped++;
      continue;
    }
    imported++;
    if (options.dryRun) continue;
    const hash = await storeImportedBlob(deps, raw, message.path, problems);
    if (hash === null) {
      imported--;
      continue;
    }
    batch.push({
      blobHash: hash,
      raw,
      flags: { system: new Set<SystemFlag>(message.name.system), keywords: message.name.keywords },
      internalDateMs: Math.floor(mtimeMs),
      ...(keptUid === undefined ? {} : { uid: keptUid as Uid }),
      ...(message.pop3Uidl === undefined ? {} : { importedUidl: message.pop3Uidl }),
    });
    if (keptUid !== undefined) uidNext = keptUid + 1;
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  if (keepUids && folder.uidList && mailbox && !options.dryRun) {
    mailbox = await deps.store.mailboxes.adoptUids(
      accountId,
      mailbox.id,
      folder.uidList.uidValidity,
      folder.uidList.nextUid as Uid,
    );
  }
  return finishFolder(deps, accountId, folder.name, mailbox, sourceDigests, { imported, skipped, uids });
}
