// What one FETCH needs before any message is read (RFC 9051 §6.4.5): the attribute list in answer order
// (UID first for UID FETCH, §6.4.9; MODSEQ added by CHANGEDSINCE, RFC 7162 §3.1.4.1, and beside FLAGS
// once CONDSTORE is on, §3.1, as Dovecot does), and which data
// sources it touches, so `1:* (UID FLAGS)` never goes to the store per message.
import type { SummaryText } from "../../store/mail-store.js";
import type { FetchAttribute, FetchItems } from "../wire/fetch-attribute.js";
import { expandFetchItems } from "../wire/fetch-attribute.js";

export interface FetchPlan {
  readonly attributes: readonly FetchAttribute[];
  /**
   * Email summaries (ENVELOPE, BODYSTRUCTURE, BODY, PREVIEW). Content items need only the blob hash,
   * which snapshot entries carry; their summaries are read only for entries that lack it.
   */
  readonly needsSummary: boolean;
  /** The summary texts those items read: only these are read from the store. */
  readonly summaryTexts: readonly SummaryText[];
  /**
   * The full MessageIndex with part offsets (every section except the whole message). Without it, every
   * item reading bytes reads the whole message: BODY[], RFC822 or BINARY[], with or without a partial.
   */
  readonly needsIndex: boolean;
  /** A non-PEEK body item: \Seen is set (RFC 9051 §6.4.5). */
  readonly setsSeen: boolean;
  /** Some item reads message bytes (a body section, BINARY, RFC822…); otherwise no await per message. */
  readonly readsContent: boolean;
}

/** The summary text each item reads. */
const SUMMARY_TEXT_OF: ReadonlyMap<FetchAttribute["kind"], SummaryText> = new Map([
  ["ENVELOPE", "envelope"],
  ["BODYSTRUCTURE", "bodyStructure"],
  ["BODY", "body"],
  ["PREVIEW", "preview"],
]);

function needsIndex(attribute: FetchAttribute): boolean {
  switch (attribute.kind) {
    case "RFC822.HEADER":
    case "RFC822.TEXT":
    case "BINARY.SIZE":
      return true;
    case "BODY[]":
      return attribute.section.part.length > 0 || attribute.section.text !== null;
    case "BINARY[]":
      return attribute.part.length > 0;
    default:
      return false;
  }
}

const CONTENT_KINDS = new Set<FetchAttribute["kind"]>([
  "RFC822",
  "RFC822.HEADER",
  "RFC822.TEXT",
  "BODY[]",
  "BINARY[]",
  "BINARY.SIZE",
]);

function setsSeen(attribute: FetchAttribute): boolean {
  switch (attribute.kind) {
    case "RFC822":
    case "RFC822.TEXT":
      return true;
    case "BODY[]":
    case "BINARY[]":
      return !attribute.isPeek;
    default:
      return false;
  }
}

export function planFetch(
  items: FetchItems,
  isUid: boolean,
  hasChangedSince: boolean,
  isCondstore = false,
): FetchPlan {
  const requested = expandFetchItems(items);
  const attributes: FetchAttribute[] = [];
  if (isUid) attributes.push({ kind: "UID" });
  for (const attribute of requested) {
    if (isUid && attribute.kind === "UID") continue;
    attributes.push(attribute);
  }
  const addsModSeq = hasChangedSince || (isCondstore && attributes.some((a) => a.kind === "FLAGS"));
  if (addsModSeq && !attributes.some((a) => a.kind === "MODSEQ")) attributes.push({ kind: "MODSEQ" });
  const index = attributes.some(needsIndex);
  const summaryTexts = [...new Set(attributes.flatMap((a) => SUMMARY_TEXT_OF.get(a.kind) ?? []))];
  return {
    attributes,
    needsIndex: index,
    needsSummary: summaryTexts.length > 0,
    summaryTexts,
    setsSeen: attributes.some(setsSeen),
    readsContent: attributes.some((a) => CONTENT_KINDS.has(a.kind)),
  };
}

/** Plans by command: a pipelined FETCH is planned by the read-ahead's look at it and again when it runs. */
const plansByItems = new WeakMap<FetchItems, FetchPlan[]>();

/**
 * planFetch of a FETCH without CHANGEDSINCE, remembered for its parsed items (the same object from the
 * read-ahead's look at a pipelined command to its run): plans never change, so one is as good as new.
 */
export function planFetchOf(items: FetchItems, isUid: boolean, isCondstore: boolean): FetchPlan {
  const slot = (isUid ? 1 : 0) + (isCondstore ? 2 : 0);
  let plans = plansByItems.get(items);
  if (plans === undefined) {
    plans = [];
    plansByItems.set(items, plans);
  }
  let plan = plans[slot];
  if (plan === undefined) {
    plan = planFetch(items, isUid, false, isCondstore);
    plans[slot] = plan;
  }
  return plan;
}
