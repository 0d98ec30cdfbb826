// The bench corpus written as files: .eml files and a Maildir (cur/ with unique names carrying ,S=<size>
// and ,W=<virtual size> as Dovecot's own tools write them), so Postfach and Dovecot get the same messages.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateCorpus, PLANT_EVERY, PLANT_OFFSET } from "./corpus.js";

export interface WrittenCorpus {
  readonly messages: number;
  /** Messages carrying the planted search tokens. */
  readonly planted: number;
  readonly totalBytes: number;
}

/** Maildir file names sort by their leading timestamp, so Dovecot assigns UIDs in corpus order. */
const FIRST_TIMESTAMP = 1_790_000_000;

/**
 * Writes `messages` messages made of `distinct` corpus bodies repeated (message i is body i % distinct,
 * the same mapping as `fillMailbox`) into a Maildir at `maildir` (cur/ new/ tmp/), and, when `emlDir`
 * is given, each distinct body as <n>.eml there.
 */
export async function writeCorpusFiles(options: {
  readonly maildir: string;
  readonly emlDir?: string;
  readonly messages: number;
  readonly distinct: number;
  readonly seed: number;
}): Promise<WrittenCorpus> {
  const { maildir, emlDir, messages, distinct, seed } = options;
  for (const sub of ["cur", "new", "tmp"]) await mkdir(join(maildir, sub), { recursive: true });
  if (emlDir) await mkdir(emlDir, { recursive: true });
  const bodies = [...generateCorpus(distinct, { seed })];
  if (emlDir) {
    const width = String(distinct).length;
    for (const [n, raw] of bodies.entries()) {
      await writeFile(join(emlDir, `${String(n + 1).padStart(width, "0")}.eml`), raw);
    }
  }
  let planted = 0;
  let totalBytes = 0;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < messages; i++) {
    const source = i % distinct;
    if (source % PLANT_EVERY === PLANT_OFFSET) planted++;
    const raw = bodies[source] as Buffer;
    totalBytes += raw.length;
    // The corpus has CRLF line ends already, so the virtual (CRLF) size equals the file size.
    const name = `${FIRST_TIMESTAMP + i}.M${i}P1.postfach-bench,S=${raw.length},W=${raw.length}:2,`;
    pending.push(writeFile(join(maildir, "cur", name), raw));
    if (pending.length === 64) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  return { messages, planted, totalBytes };
}
