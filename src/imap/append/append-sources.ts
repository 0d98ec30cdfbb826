// The blob of each APPEND or REPLACE message. A plain message is its literal, stored while it arrived
// or, when small, held in memory for the append to store with its entry. A CATENATE message (RFC 4469 §5) is put together here: its TEXT literals (each stored as a blob
// while it arrived) and the messages or parts its IMAP URLs (RFC 5092) name, streamed in order into one
// new blob, never held whole in memory. A URL may name any mailbox the user may read (their own, or
// another account's shared with the r right, RFC 4314). A URL that does not resolve gives
// NO [BADURL url], a result over the message size limit NO [TOOBIG], before anything is stored.
import type { AccountId, BlobHash, Uid } from "../../kit/ids.js";
import { isMailError } from "../../kit/mail-error.js";
import type { AppendedMessage } from "../../mail/message-service.js";
import { selectHeaderFields } from "../../mime/select-header-fields.js";
import type { AccountRecord, MailboxRecord } from "../../store/mail-store.js";
import { readRange } from "../fetch/body-content.js";
import { clampPartial, resolveBodySection } from "../fetch/section-resolver.js";
import type { AppendedBlob, CommandContext, CommandOutcome } from "../session/command-context.js";
import { no } from "../session/command-context.js";
import { openMailbox } from "../session/mailbox-access.js";
import type { AppendMessage, CatenatePart } from "../wire/command.js";
import { parseImapMessageUrl } from "../wire/imap-url.js";

/** Where the bytes of one CATENATE part come from. */
type PartSource =
  | { readonly kind: "range"; readonly blobHash: BlobHash; readonly start: number; readonly end: number }
  | { readonly kind: "bytes"; readonly bytes: Uint8Array };

/** A message's blob: stored, or held (`body`, not stored yet; see AppendedMessage). */
export type AppendSource = Pick<AppendedMessage, "blobHash" | "body">;

/**
 * The blob of each message, in order, taking the literals from `blobs` (one per plain message, one per
 * TEXT part of a CATENATE message); or the NO reply when a CATENATE message cannot be built.
 */
export async function appendSources(
  ctx: CommandContext,
  account: AccountRecord,
  messages: readonly AppendMessage[],
  blobs: readonly AppendedBlob[],
): Promise<AppendSource[] | CommandOutcome> {
  let next = 0;
  const takeBlob = (): AppendedBlob => {
    const blob = blobs[next++];
    if (blob === undefined) throw new Error("APPEND literals and messages disagree");
    return blob;
  };
  const plans: (AppendSource | PartSource[])[] = [];
  for (const message of messages) {
    if (message.catenate === undefined) {
      const { hash, bytes } = takeBlob();
      plans.push(bytes === undefined ? { blobHash: hash } : { blobHash: hash, body: bytes });
      continue;
    }
    const sources: PartSource[] = [];
    for (const part of message.catenate) {
      const source =
        part.kind === "text" ? textSource(takeBlob(), part) : await urlSource(ctx, account, part.url);
      if (source === null) return no("CATENATE URL does not name a readable message part", badUrl(part));
      sources.push(source);
    }
    const total = sources.reduce((sum, s) => sum + sizeOf(s), 0);
    if (total > ctx.services.maxMessageBytes) {
      return no(`CATENATE message of ${total} bytes exceeds the limit`, { kind: "TOOBIG" });
    }
    if (total === 0) return no("CATENATE message would be empty");
    plans.push(sources);
  }
  if (next !== blobs.length) throw new Error("APPEND literals and messages disagree");
  const sources: AppendSource[] = [];
  for (const plan of plans) {
    if (!Array.isArray(plan)) sources.push(plan);
    else sources.push({ blobHash: (await ctx.services.messages.storeBlob(concatenated(ctx, plan))).hash });
  }
  return sources;
}

function badUrl(part: CatenatePart) {
  return { kind: "BADURL", url: part.kind === "url" ? part.url : "" } as const;
}

function textSource(blob: AppendedBlob, part: Extract<CatenatePart, { kind: "text" }>): PartSource {
  const end = Math.min(blob.size, part.size);
  if (blob.bytes !== undefined) return { kind: "bytes", bytes: blob.bytes.subarray(0, end) };
  return { kind: "range", blobHash: blob.hash, start: 0, end };
}

function sizeOf(source: PartSource): number {
  return source.kind === "range" ? source.end - source.start : source.bytes.length;
}

async function* concatenated(ctx: CommandContext, sources: readonly PartSource[]): AsyncIterable<Uint8Array> {
  for (const source of sources) {
    if (source.kind === "bytes") yield source.bytes;
    else if (source.end > source.start) {
      yield* ctx.services.messages.readRange(source.blobHash, source.start, source.end);
    }
  }
}

/**
 * The bytes a message URL names, if it names a message (or part) the user may read that exists: the
 * selected mailbox for a relative URL, else the named mailbox, whose UIDVALIDITY must match if given.
 * Null for anything else (BADURL), including an empty part.
 */
async function urlSource(
  ctx: CommandContext,
  account: AccountRecord,
  url: string,
): Promise<PartSource | null> {
  const parsed = parseImapMessageUrl(url);
  if (parsed === null) return null;
  if (parsed.user !== null && parsed.user.toLowerCase() !== account.address.toLowerCase()) return null;
  const store = ctx.services.store;
  // The selected mailbox for a relative URL, else the named one if the user may read it (RFC 4314 r;
  // Shared/<owner>/… names another account's folder): the owner's account holds its messages.
  let mailbox: MailboxRecord;
  let ownerId: AccountId;
  if (parsed.mailbox === null) {
    const state = ctx.session.state;
    if (state.kind !== "selected") return null;
    mailbox = state.selected.view.mailbox;
    ownerId = state.selected.view.accountId;
  } else {
    try {
      const target = await openMailbox(ctx, parsed.mailbox, "r");
      mailbox = target.mailbox;
      ownerId = target.owner.id;
    } catch (error) {
      if (isMailError(error)) return null;
      throw error;
    }
  }
  if (parsed.uidValidity !== null && parsed.uidValidity !== mailbox.uidValidity) return null;
  const [entry] = await store.messages.getEntries(mailbox.id, [parsed.uid as Uid]);
  if (entry === undefined) return null;
  const summary = (await store.messages.getEmailSummaries([entry.emailId])).get(entry.emailId);
  if (summary === undefined) return null;
  let source: PartSource;
  if (parsed.section === null) {
    source = { kind: "range", blobHash: summary.blobHash, start: 0, end: summary.size };
  } else {
    const email = await store.messages.getEmail(ownerId, entry.emailId);
    if (email === undefined) return null;
    const resolved = resolveBodySection(email.index.root, parsed.section);
    if (resolved.kind === "empty") return null;
    if (resolved.kind === "range") {
      source = { kind: "range", blobHash: summary.blobHash, start: resolved.start, end: resolved.end };
    } else {
      const header = await readRange(ctx.services.messages, summary.blobHash, resolved.start, resolved.end);
      source = { kind: "bytes", bytes: selectHeaderFields(header, resolved.fields, resolved.isNot) };
    }
  }
  const size = sizeOf(source);
  const { from, to } = clampPartial(size, parsed.partial);
  if (to <= from) return null;
  if (source.kind === "bytes") return { kind: "bytes", bytes: source.bytes.subarray(from, to) };
  return { kind: "range", blobHash: source.blobHash, start: source.start + from, end: source.start + to };
}
