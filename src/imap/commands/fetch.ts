// FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9): resolves the set through the session's snapshot (so a
// message another session expunged stays fetchable until this one is told), reads summaries in batches
// and indexes only when a section needs part offsets, sets \Seen for non-PEEK body items and writes
// one untagged FETCH per message, awaiting backpressure. RFC 7162: CHANGEDSINCE keeps only messages
// changed after a modseq (§3.1.4.1), and UID FETCH's VANISHED modifier first reports the UIDs of the set
// expunged since then as VANISHED (EARLIER) (§3.2.6). RFC 9394 §3.2: the PARTIAL modifier pages.
import type { AccountId, BlobHash, EmailId } from "../../kit/ids.js";
import { isMailError } from "../../kit/mail-error.js";
import { indexMessage } from "../../mime/index/index-message.js";
import type { MessageIndex } from "../../mime/message-index.js";
import type { MailboxEntry } from "../../store/mail-store.js";
import type { BlobRanges } from "../fetch/body-content.js";
import type { NeededBody } from "../fetch/body-read-ahead.js";
import {
  buildFetchItems,
  buildFetchItemsNow,
  type FetchSummary,
  UnknownCteError,
} from "../fetch/fetch-item-builder.js";
import { type FetchPlan, planFetch, planFetchOf } from "../fetch/fetch-plan.js";
import {
  noIndexLoader,
  type StaticFetchWriter,
  staticFetchMessage,
  staticFetchWriter,
} from "../fetch/static-fetch-lines.js";
import { selectPartial } from "../search/partial-window.js";
import {
  bad,
  type CommandContext,
  type CommandOutcome,
  no,
  ok,
  selectedOf,
} from "../session/command-context.js";
import { enableCondstore } from "../session/condstore.js";
import { completeLimited, isOutcome, limitMessages } from "../session/message-limit.js";
import type { SelectedMailbox } from "../session/selected-mailbox.js";
import type { CommandOf } from "../wire/command.js";
import type { FetchAttribute } from "../wire/fetch-attribute.js";
import type { FetchResponseItem, ImapResponse } from "../wire/response.js";
import { sequenceSetFromNumbers } from "../wire/seqset.js";

const FETCH_COMPLETED = "FETCH completed";
/** The tagged reply of a FETCH that fetchOneNow answered (message content sent: refunded from pacing). */
export const FETCHED_ONE_NOW: CommandOutcome = { ...ok(FETCH_COMPLETED), sentMessageContent: true };

/** Messages per store round trip: summaries and \Seen updates are read and written a batch at a time. */
const BATCH_SIZE = 500;
/** Messages whose items are built ahead of the one being written. */
const LOOKAHEAD_MESSAGES = 16;

export async function fetch(ctx: CommandContext, command: CommandOf<"fetch">): Promise<CommandOutcome> {
  const selected = selectedOf(ctx);
  const changedSince = command.changedSince;
  if (command.vanished && !ctx.session.enabled.has("QRESYNC")) {
    return bad("The VANISHED modifier needs ENABLE QRESYNC first");
  }
  const plan =
    changedSince === null
      ? planFetchOf(command.items, command.uid, selected.isCondstore)
      : planFetch(command.items, command.uid, true, selected.isCondstore);
  if (changedSince !== null || plan.attributes.some((a) => a.kind === "MODSEQ")) await enableCondstore(ctx);
  const limited = limitMessages(ctx, selected.resolve(command.set, command.uid), command.uid, "FETCH");
  if (isOutcome(limited)) return limited;
  let entries = limited.entries;
  if (changedSince !== null) {
    if (command.vanished) {
      const vanished = await selected.vanishedSince(changedSince, command.set);
      if (vanished.length > 0) {
        await ctx.send({ kind: "vanished", isEarlier: true, uids: sequenceSetFromNumbers(vanished) });
      }
    }
    entries = entries.filter((e) => e.modSeq > changedSince);
  }
  // RFC 9394 §3.2: PARTIAL pages through what the set (and CHANGEDSINCE) left, in UID order.
  if (command.partial !== null) entries = selectPartial(entries, command.partial);
  let isMissingSome = false;
  // One writer for the command: its buffer starts each batch at the size the last one needed.
  const staticWriter = plan.readsContent
    ? null
    : staticFetchWriter(
        plan.attributes,
        {
          style: { literalMarker: "", isUtf8Quoted: ctx.session.enabled.has("UTF8=ACCEPT") },
          isUidOnly: ctx.session.enabled.has("UIDONLY"),
        },
        entries.length,
      );
  try {
    for (let at = 0; at < entries.length; at += BATCH_SIZE) {
      const batch = entries.slice(at, at + BATCH_SIZE);
      const isComplete = await fetchBatch(ctx, selected, plan, staticWriter, batch);
      if (!isComplete) isMissingSome = true;
    }
  } catch (error) {
    if (error instanceof UnknownCteError) return no(error.message, { kind: "UNKNOWN-CTE" });
    throw error;
  }
  const outcome = isMissingSome
    ? no("Some of the requested messages no longer exist", { kind: "EXPUNGEISSUED" })
    : await completeLimited(ctx, ok(FETCH_COMPLETED), limited.isLimited, limited.entries.length);
  return plan.readsContent && entries.length > 0 ? { ...outcome, sentMessageContent: true } : outcome;
}

/**
 * A FETCH of one message whose items are all at hand without an await — a pipelined download's
 * `UID FETCH n (BODY.PEEK[])`, mbsync's `(FLAGS BODY.PEEK[])` — answered as `fetch` would, or null to
 * leave it to `fetch`, which answers every other case (several messages, \Seen to set, CHANGEDSINCE,
 * MODSEQ, summaries, sections, a body to stream, a message gone or damaged, a bad number). Its one
 * response is returned for the session to write; the tagged reply is FETCHED_ONE_NOW.
 */
export function fetchOneNow(ctx: CommandContext, command: CommandOf<"fetch">): ImapResponse | null {
  if (command.changedSince !== null || command.vanished || command.partial !== null) return null;
  const selected = selectedOf(ctx);
  const plan = planFetchOf(command.items, command.uid, selected.isCondstore);
  if (!plan.readsContent || plan.needsIndex || plan.needsSummary || plan.setsSeen) return null;
  if (plan.attributes.some((a) => a.kind === "MODSEQ")) return null;
  let entries: readonly MailboxEntry[];
  try {
    entries = selected.resolve(command.set, command.uid);
  } catch {
    return null;
  }
  const entry = entries[0];
  if (entries.length !== 1 || entry === undefined || entry.blobHash === undefined) return null;
  let items: FetchResponseItem[] | null;
  try {
    items = buildFetchItemsNow(
      plan.attributes,
      { entry, flags: selected.flagsOf(entry), summary: undefined, loadIndex: noIndexLoader },
      bodiesReadAhead(ctx, selected, entries, () => 1),
    );
  } catch {
    return null;
  }
  return items === null ? null : { kind: "fetch", sequence: selected.view.positionOf(entry.uid), items };
}

/** Fetches one batch; false if some message's content is gone from the store (purged after an expunge). */
async function fetchBatch(
  ctx: CommandContext,
  selected: SelectedMailbox,
  plan: FetchPlan,
  staticWriter: StaticFetchWriter | null,
  batch: readonly MailboxEntry[],
): Promise<boolean> {
  const seenNow =
    // RFC 4314 §4: without the s right a body FETCH does not set \Seen.
    plan.setsSeen && !selected.isReadOnly && selected.rights.has("s")
      ? await markSeen(ctx, selected, batch)
      : null;
  // Bodies need only the blob hash, which snapshot entries carry: no store query for those.
  const needsSummaries =
    plan.needsSummary || (plan.readsContent && batch.some((e) => e.blobHash === undefined));
  const summaries = needsSummaries
    ? await ctx.services.store.messages.getEmailSummaries(
        batch.map((e) => e.emailId),
        plan.summaryTexts,
      )
    : new Map<EmailId, FetchSummary>();
  if (staticWriter !== null) return sendStaticBatch(ctx, selected, plan, staticWriter, summaries, batch);
  const sentNow = plan.needsIndex
    ? { handled: 0, isComplete: true }
    : await sendBuiltNow(ctx, selected, plan, summaries, batch, seenNow);
  if (sentNow.handled === batch.length) return sentNow.isComplete;
  let isComplete = sentNow.isComplete;
  // Items of the next few messages are built while earlier ones are written, so the small blob reads
  // (header fields, decoded parts) and index loads overlap; streamed bodies open only when written.
  // Decoded BINARY parts can be large: those are built one at a time.
  const lookahead = plan.attributes.some((a) => a.kind === "BINARY[]" || a.kind === "BINARY.SIZE")
    ? 1
    : LOOKAHEAD_MESSAGES;
  const building: Promise<ImapResponse | null>[] = [];
  const flushOne = async (): Promise<void> => {
    const response = await (building.shift() as Promise<ImapResponse | null>);
    if (response === null) isComplete = false;
    else await ctx.send(response);
  };
  for (const original of batch.slice(sentNow.handled)) {
    const built = buildResponse(ctx, selected, plan, summaries, original, seenNow?.get(original.uid));
    built.catch(() => {}); // observed here; the error surfaces when this response's turn comes
    building.push(built);
    if (building.length >= lookahead) await flushOne();
  }
  while (building.length > 0) await flushOne();
  return isComplete;
}

/**
 * A batch whose items all come from entries and summaries (flags, UIDs, ENVELOPE, BODYSTRUCTURE…: the
 * resync and listing FETCHes of whole mailboxes): built without an await per message.
 */
async function sendStaticBatch(
  ctx: CommandContext,
  selected: SelectedMailbox,
  plan: FetchPlan,
  writer: StaticFetchWriter,
  summaries: ReadonlyMap<EmailId, FetchSummary>,
  batch: readonly MailboxEntry[],
): Promise<boolean> {
  const isComplete = writeStaticLines(selected, plan, writer, summaries, batch);
  await ctx.sendEncoded(writer.take());
  return isComplete;
}

/**
 * The whole batch encoded in one buffer: no response object or string per message is kept until it is
 * written. A plain function, not part of the async one: V8 can optimize a long loop while it runs (OSR)
 * only outside a generator, and a resync's first batches run before anything else is optimized.
 */
function writeStaticLines(
  selected: SelectedMailbox,
  plan: FetchPlan,
  writer: StaticFetchWriter,
  summaries: ReadonlyMap<EmailId, FetchSummary>,
  batch: readonly MailboxEntry[],
): boolean {
  let isComplete = true;
  let position = 0;
  for (const entry of batch) {
    const summary = plan.needsSummary ? summaries.get(entry.emailId) : undefined;
    if (plan.needsSummary && summary === undefined) {
      isComplete = false;
      continue;
    }
    position = selected.view.positionOf(entry.uid, position + 1);
    writer.write(position, staticFetchMessage(entry, selected.flagsOf(entry), summary));
  }
  return isComplete;
}

/** Bytes of whole-message responses gathered before they are handed to the writer. */
const SEND_NOW_BYTES = 256 * 1024;

/**
 * Builds and sends the batch's responses for as long as each can be built without an await (whole
 * messages in blobs the store reads at once: the usual body FETCH), so a message costs no promise of
 * its own. Stops at the first that needs an await; returns how many messages it handled.
 */
async function sendBuiltNow(
  ctx: CommandContext,
  selected: SelectedMailbox,
  plan: FetchPlan,
  summaries: ReadonlyMap<EmailId, FetchSummary>,
  batch: readonly MailboxEntry[],
  seenNow: ReadonlyMap<number, MailboxEntry> | null,
): Promise<{ handled: number; isComplete: boolean }> {
  let isComplete = true;
  let responses: ImapResponse[] = [];
  let gathered = 0;
  let handled = 0;
  const blobs = bodiesReadAhead(ctx, selected, batch, () => handled + 1);
  for (; handled < batch.length; handled++) {
    const original = batch[handled] as MailboxEntry;
    const updated = seenNow?.get(original.uid);
    const entry = withBlobOf(original, updated);
    const summary = summaries.get(entry.emailId);
    if ((plan.needsSummary || entry.blobHash === undefined) && summary === undefined) {
      isComplete = false;
      continue;
    }
    let items: FetchResponseItem[] | null;
    try {
      items = buildFetchItemsNow(
        attributesFor(plan, selected, updated),
        { entry, flags: selected.flagsOf(entry), summary, loadIndex: noIndexLoader },
        blobs,
      );
    } catch (error) {
      if (!isMailError(error) || error.code !== "nonexistent") throw error;
      isComplete = false;
      continue;
    }
    if (items === null) break;
    responses.push({ kind: "fetch", sequence: selected.view.positionOf(entry.uid), items });
    gathered += entry.size;
    if (gathered >= SEND_NOW_BYTES) {
      await ctx.sendAll(responses);
      responses = [];
      gathered = 0;
    }
  }
  if (responses.length > 0) await ctx.sendAll(responses);
  return { handled, isComplete };
}

/** Pipelined commands looked at for bodies to read ahead (each FETCH of one message, usually). */
const PIPELINED_FETCHES = 31;

/**
 * The blob reads of whole-message items: a whole body comes through the session's read-ahead
 * (fetch/body-read-ahead.ts), read together with those of the batch's next messages (from the index
 * `nextIndex` gives) and of the FETCHes the client pipelined after this one.
 */
function bodiesReadAhead(
  ctx: CommandContext,
  selected: SelectedMailbox,
  batch: readonly MailboxEntry[],
  nextIndex: () => number,
): BlobRanges {
  const messages = ctx.services.messages;
  return {
    readRange: (blobHash, start, end) => messages.readRange(blobHash, start, end),
    readRangeNow: (blobHash, start, end) =>
      start === 0
        ? ctx.session.bodyReadAhead.readNow(messages, { blobHash, size: end }, (max) =>
            bodiesNeededNext(ctx, selected, batch, nextIndex(), max),
          )
        : messages.readRangeNow(blobHash, start, end),
  };
}

/** Up to `max` whole bodies needed after this message: the batch's rest, then those of pipelined FETCHes. */
function bodiesNeededNext(
  ctx: CommandContext,
  selected: SelectedMailbox,
  batch: readonly MailboxEntry[],
  from: number,
  max: number,
): NeededBody[] {
  const needed: NeededBody[] = [];
  const add = (entries: readonly MailboxEntry[], start: number): boolean => {
    for (let i = start; i < entries.length && needed.length < max; i++) {
      const entry = entries[i] as MailboxEntry;
      if (entry.blobHash !== undefined) needed.push({ blobHash: entry.blobHash, size: entry.size });
    }
    return needed.length < max;
  };
  if (!add(batch, from)) return needed;
  for (const command of ctx.session.pipelinedCommands(PIPELINED_FETCHES)) {
    if (command.name !== "fetch" || command.changedSince !== null) break;
    const plan = planFetchOf(command.items, command.uid, selected.isCondstore);
    // Only FETCHes that read whole messages, as this one does; anything else ends the look ahead.
    if (!plan.readsContent || plan.needsIndex) break;
    let entries: readonly MailboxEntry[];
    try {
      entries = selected.resolve(command.set, command.uid);
    } catch {
      break; // a bad message number: that FETCH fails when it runs
    }
    if (!add(entries, 0)) break;
  }
  return needed;
}

/** The entry to answer with: the one \Seen updated, with the blob hash a flag update does not read. */
function withBlobOf(original: MailboxEntry, updated: MailboxEntry | undefined): MailboxEntry {
  if (updated === undefined) return original;
  // The email (and so its blob) is the same; only flags and modseq changed.
  return updated.blobHash === undefined
    ? { ...updated, blobHash: original.blobHash, crlfSize: original.crlfSize }
    : updated;
}

/** A FETCH that set \Seen reports the new FLAGS (and, with CONDSTORE, the new MODSEQ) unasked. */
function attributesFor(
  plan: FetchPlan,
  selected: SelectedMailbox,
  updated: MailboxEntry | undefined,
): readonly FetchAttribute[] {
  let attributes = plan.attributes;
  if (updated === undefined) return attributes;
  if (!attributes.some((a) => a.kind === "FLAGS")) attributes = [...attributes, { kind: "FLAGS" } as const];
  if (selected.isCondstore && !attributes.some((a) => a.kind === "MODSEQ")) {
    attributes = [...attributes, { kind: "MODSEQ" } as const];
  }
  return attributes;
}

/** One message's untagged FETCH, or null when its content is gone from the store. */
async function buildResponse(
  ctx: CommandContext,
  selected: SelectedMailbox,
  plan: FetchPlan,
  summaries: ReadonlyMap<EmailId, FetchSummary>,
  original: MailboxEntry,
  updated: MailboxEntry | undefined,
): Promise<ImapResponse | null> {
  const entry = withBlobOf(original, updated);
  const summary = summaries.get(entry.emailId);
  if (plan.needsSummary && summary === undefined) return null;
  if (entry.blobHash === undefined && summary === undefined) return null;
  const attributes = attributesFor(plan, selected, updated);
  const blobHash = entry.blobHash ?? (summary as FetchSummary).blobHash;
  let items: FetchResponseItem[];
  try {
    items = await buildFetchItems(
      attributes,
      {
        entry,
        flags: selected.flagsOf(entry),
        summary,
        loadIndex: indexLoader(ctx, selected.view.accountId, entry.emailId, blobHash),
      },
      ctx.services.messages,
    );
  } catch (error) {
    // Its blob was collected after another session expunged it: as gone as a purged summary.
    if (isMailError(error) && error.code === "nonexistent") return null;
    throw error;
  }
  return { kind: "fetch", sequence: selected.view.positionOf(entry.uid), items };
}

/**
 * Sets \Seen on the batch's unseen messages in one atomic store update and records it in the snapshot,
 * so the FETCH itself carries the new FLAGS and they are not announced again (RFC 9051 §6.4.5).
 */
async function markSeen(
  ctx: CommandContext,
  selected: SelectedMailbox,
  batch: readonly MailboxEntry[],
): Promise<Map<number, MailboxEntry>> {
  const unseen = batch.filter((e) => !e.flags.system.has("\\Seen")).map((e) => e.uid);
  const changed = new Map<number, MailboxEntry>();
  if (unseen.length === 0) return changed;
  const result = await ctx.services.store.messages.updateFlags(
    selected.view.accountId,
    selected.view.mailboxId,
    unseen,
    {
      operation: "add",
      flags: { system: new Set(["\\Seen"]), keywords: [] },
    },
  );
  selected.applyOwnChanges(result.changed);
  for (const entry of result.changed) changed.set(entry.uid, entry);
  return changed;
}

/**
 * The index of one message, read once on first need. An email another session expunged is no longer
 * served by getEmail, so its stored bytes are indexed again (rare: only sections of such messages).
 */
function indexLoader(
  ctx: CommandContext,
  accountId: AccountId,
  emailId: EmailId,
  blobHash: BlobHash,
): () => Promise<MessageIndex> {
  let loaded: Promise<MessageIndex> | null = null;
  return () => {
    loaded ??= (async () => {
      const record = await ctx.services.store.messages.getEmail(accountId, emailId);
      if (record !== undefined) return record.index;
      return indexMessage(await ctx.services.messages.readAll(blobHash));
    })();
    return loaded;
  };
}
