// `postfach import imap`: every folder of an account on any IMAP server (imapsync-style) into a Postfach
// account through the mail layer, with flags, keywords and INTERNALDATE. A folder the target has never
// used takes the source's UIDVALIDITY and UIDs, so clients keep their caches and a re-run after an
// interruption appends only what is missing; otherwise messages are matched by their bytes.
import type { AccountId, Uid } from "../kit/ids.js";
import { MailError } from "../kit/mail-error.js";
import { SYSTEM_FLAGS, type SystemFlag } from "../store/mail-store.js";
import {
  digestsOf,
  type FolderReport,
  finishFolder,
  type MailDeps,
  type Problem,
  sha256Hex,
  storeImportedBlob,
  type TransferOptions,
  type TransferReport,
  toCrlf,
} from "./import-report.js";

export interface ImapSource {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (imaps://); otherwise STARTTLS when offered. */
  readonly secure: boolean;
  readonly user: string;
  readonly password: string;
  /** Accept a certificate that does not verify (a test server, a self-signed migration source). */
  readonly allowUntrustedCertificate: boolean;
}

/** Parses `imaps://user@host[:port]` or `imap://…` (the password comes apart, never in a URL). */
export function parseImapUrl(url: string): Omit<ImapSource, "password" | "allowUntrustedCertificate"> {
  if (!URL.canParse(url)) throw new MailError("invalidInput", `Not a URL: ${url}`);
  const parsed = new URL(url);
  const secure = parsed.protocol === "imaps:";
  if (!secure && parsed.protocol !== "imap:")
    throw new MailError("invalidInput", "Expected imaps:// or imap://");
  if (parsed.password)
    throw new MailError("invalidInput", "Give the password on standard input, not in the URL");
  const user = decodeURIComponent(parsed.username);
  if (user === "" || parsed.hostname === "")
    throw new MailError("invalidInput", "Expected imaps://user@host");
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 993 : 143,
    secure,
    user,
  };
}

const BATCH = 64;
const SYSTEM = new Set<string>(SYSTEM_FLAGS.map((f) => f.toLowerCase()));

interface SourceFolder {
  readonly path: string;
  readonly name: string;
}

/** The subset of imapflow this module uses (loaded at run time: it is only needed for this command). */
interface ImapClient {
  connect(): Promise<void>;
  logout(): Promise<void>;
  list(): Promise<{ path: string; delimiter: string; flags: Set<string> }[]>;
  mailboxOpen(
    path: string,
    options: { readOnly: boolean },
  ): Promise<{ uidValidity: bigint; uidNext: number; exists: number }>;
  fetch(
    range: string,
    query: Record<string, boolean>,
    options: { uid: boolean },
  ): AsyncIterable<{ uid: number; flags?: Set<string>; internalDate?: Date | string; source?: Buffer }>;
}

async function connect(source: ImapSource): Promise<ImapClient> {
  let module: { ImapFlow: new (options: object) => ImapClient };
  try {
    module = (await import("imapflow")) as unknown as typeof module;
  } catch {
    throw new MailError(
      "unavailable",
      "postfach import imap needs the imapflow package (npm install imapflow)",
    );
  }
  const client = new module.ImapFlow({
    host: source.host,
    port: source.port,
    secure: source.secure,
    auth: { user: source.user, pass: source.password },
    logger: false,
    tls: { rejectUnauthorized: !source.allowUntrustedCertificate },
  });
  try {
    await client.connect();
  } catch (error) {
    const detail =
      (error as { responseText?: string; message?: string }).responseText ?? (error as Error).message;
    throw new MailError("unavailable", `Cannot log in to ${source.host}:${source.port}: ${detail}`);
  }
  return client;
}

export async function importImap(
  deps: MailDeps,
  accountId: AccountId,
  source: ImapSource,
  options: TransferOptions & { readonly folder?: string },
): Promise<TransferReport> {
  const client = await connect(source);
  const problems: Problem[] = [];
  const reports: FolderReport[] = [];
  try {
    const folders: SourceFolder[] = [];
    for (const folder of await client.list()) {
      if (folder.flags.has("\\Noselect") || folder.flags.has("\\NonExistent")) continue;
      const name =
        folder.path.toUpperCase() === "INBOX"
          ? "INBOX"
          : folder.path.split(folder.delimiter || "/").join("/");
      if (options.folder === undefined || options.folder === name) folders.push({ path: folder.path, name });
    }
    if (folders.length === 0)
      throw new MailError("nonexistent", `No folder ${options.folder ?? ""} on the source`);
    let total = 0;
    const opened = [];
    for (const folder of folders) {
      const status = await client.mailboxOpen(folder.path, { readOnly: true });
      opened.push({ folder, status });
      total += status.exists;
    }
    let done = 0;
    for (const { folder, status } of opened) {
      reports.push(
        await importFolder(deps, accountId, client, folder, status, options, problems, () =>
          options.onProgress?.(++done, total),
        ),
      );
    }
  } finally {
    await client.logout().catch(() => undefined);
  }
  return { dryRun: options.dryRun, folders: reports, problems, refused: null };
}

async function importFolder(
  deps: MailDeps,
  accountId: AccountId,
  client: ImapClient,
  folder: SourceFolder,
  status: { readonly uidValidity: bigint; readonly uidNext: number; readonly exists: number },
  options: TransferOptions,
  problems: Problem[],
  tick: () => void,
): Promise<FolderReport> {
  const uidValidity = Number(status.uidValidity);
  const sourceUidNext = status.uidNext;
  let mailbox = await deps.mailboxes.find(accountId, folder.name);
  const keepUids = mailbox === undefined || mailbox.uidValidity === uidValidity || mailbox.uidNext === 1;
  const uids = keepUids
    ? `kept (UIDVALIDITY ${uidValidity})`
    : `new (the target mailbox already holds messages under UIDVALIDITY ${mailbox?.uidValidity})`;
  if (!options.dryRun) {
    mailbox ??= await deps.mailboxes.create(accountId, folder.name);
    if (keepUids)
      mailbox = await deps.store.mailboxes.adoptUids(accountId, mailbox.id, uidValidity, 1 as Uid);
  }
  const existing = mailbox ? await digestsOf(deps, mailbox.id) : [];
  const existingUids = new Set<number>(existing.map((d) => d.entry.uid));
  const existingDigests = new Map<string, number>();
  for (const { digest } of existing) existingDigests.set(digest, (existingDigests.get(digest) ?? 0) + 1);
  let uidNext: number = keepUids ? (mailbox?.uidNext ?? 1) : 1;

  await client.mailboxOpen(folder.path, { readOnly: true });
  const sourceDigests: string[] = [];
  let imported = 0;
  let skipped = 0;
  let batch: Parameters<MailDeps["messages"]["appendBlobs"]>[2][number][] = [];
  const flush = async (): Promise<void> => {
    if (batch.length > 0 && mailbox) await deps.messages.appendBlobs(accountId, mailbox.id, batch);
    batch = [];
  };
  const messages =
    status.exists === 0
      ? []
      : client.fetch("1:*", { uid: true, flags: true, internalDate: true, source: true }, { uid: false });
  for await (const message of messages) {
    tick();
    if (message.source === undefined) {
      problems.push({ where: `${folder.name}/${message.uid}`, problem: "the source sent no body" });
      continue;
    }
    const raw = toCrlf(message.source);
    const digest = sha256Hex(raw);
    sourceDigests.push(digest);
    if (keepUids && (existingUids.has(message.uid) || message.uid < uidNext)) {
      skipped++;
      continue;
    }
    const copies = existingDigests.get(digest) ?? 0;
    if (!keepUids && copies > 0) {
      existingDigests.set(digest, copies - 1);
      skipped++;
      continue;
    }
    imported++;
    if (options.dryRun) continue;
    const hash = await storeImportedBlob(deps, raw, `${folder.name}/${message.uid}`, problems);
    if (hash === null) {
      imported--;
      continue;
    }
    const system = new Set<SystemFlag>();
    const keywords: string[] = [];
    for (const flag of message.flags ?? []) {
      if (flag.toLowerCase() === "\\recent") continue;
      if (SYSTEM.has(flag.toLowerCase())) {
        system.add(SYSTEM_FLAGS.find((f) => f.toLowerCase() === flag.toLowerCase()) as SystemFlag);
      } else if (!flag.startsWith("\\")) {
        keywords.push(flag);
      }
    }
    const internalDateMs = message.internalDate ? new Date(message.internalDate).getTime() : Date.now();
    batch.push({
      blobHash: hash,
      raw,
      flags: { system, keywords: keywords.sort() },
      internalDateMs,
      ...(keepUids ? { uid: message.uid as Uid } : {}),
    });
    if (keepUids) uidNext = message.uid + 1;
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  if (keepUids && mailbox && !options.dryRun) {
    mailbox = await deps.store.mailboxes.adoptUids(accountId, mailbox.id, uidValidity, sourceUidNext as Uid);
  }
  return finishFolder(deps, accountId, folder.name, mailbox, sourceDigests, { imported, skipped, uids });
}
