// `postfach import mbox`: an mbox file (mboxrd, or mboxcl2 with Content-Length) into one folder through the
// mail layer (quota, indexing): flags from Status/X-Status, keywords from X-Keywords, INTERNALDATE from the
// From_ line. Messages get new UIDs; a re-run skips messages whose bytes the folder already holds.
import { stat } from "node:fs/promises";
import type { AccountId } from "../kit/ids.js";
import { MailError } from "../kit/mail-error.js";
import {
  digestsOf,
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
import { readMbox } from "./mbox-format.js";

const BATCH = 64;

export async function importMbox(
  deps: MailDeps,
  accountId: AccountId,
  path: string,
  folder: string,
  options: TransferOptions,
): Promise<TransferReport> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new MailError("nonexistent", `${path} is not a file`);
  // First pass: find damaged records and count, so nothing is written from a damaged file by accident.
  const problems: Problem[] = [];
  let total = 0;
  for await (const record of readMbox(path)) {
    if (record.kind === "damaged")
      problems.push({ where: `${path}@${record.offset}`, problem: record.problem });
    else total++;
  }
  if (problems.length > 0 && !options.skipDamaged && !options.dryRun) {
    return { dryRun: false, folders: [], problems, refused: REFUSED_DAMAGED };
  }
  let mailbox = await deps.mailboxes.find(accountId, folder);
  if (mailbox === undefined && !options.dryRun) mailbox = await deps.mailboxes.create(accountId, folder);
  const existing = new Map<string, number>();
  if (mailbox)
    for (const { digest } of await digestsOf(deps, mailbox.id))
      existing.set(digest, (existing.get(digest) ?? 0) + 1);

  const sourceDigests: string[] = [];
  let imported = 0;
  let skipped = 0;
  let done = 0;
  let batch: Parameters<MailDeps["messages"]["appendBlobs"]>[2][number][] = [];
  const flush = async (): Promise<void> => {
    if (batch.length > 0 && mailbox) await deps.messages.appendBlobs(accountId, mailbox.id, batch);
    batch = [];
  };
  for await (const record of readMbox(path)) {
    if (record.kind === "damaged") continue;
    options.onProgress?.(++done, total);
    const raw = toCrlf(record.bytes);
    const digest = sha256Hex(raw);
    sourceDigests.push(digest);
    const copies = existing.get(digest) ?? 0;
    if (copies > 0) {
      existing.set(digest, copies - 1);
      skipped++;
      continue;
    }
    imported++;
    if (options.dryRun) continue;
    const hash = await storeImportedBlob(deps, raw, `${path}@${record.offset}`, problems);
    if (hash === null) {
      imported--;
      continue;
    }
    batch.push({
      blobHash: hash,
      raw,
      flags: record.flags,
      internalDateMs: record.internalDateMs ?? info.mtimeMs,
    });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  const report = await finishFolder(deps, accountId, mailbox?.name ?? folder, mailbox, sourceDigests, {
    imported,
    skipped,
    uids: "new (mbox has none)",
  });
  return { dryRun: options.dryRun, folders: [report], problems, refused: null };
}
