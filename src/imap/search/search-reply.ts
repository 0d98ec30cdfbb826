// The untagged answer to SEARCH (and ESORT): IMAP4rev1 `* SEARCH` (RFC 3501 §7.2.5) or ESEARCH (RFC 4731
// §3.1; RFC 9051 §7.3.4 for every SEARCH of an IMAP4rev2 client; RFC 5267 §3.2 for SORT, whose hits come
// in sort order), PARTIAL windows (RFC 9394 §3.1), and what RFC 5182 SAVE keeps as `$`.
import type { ModSeq, Uid } from "../../kit/ids.js";
import type { PartialRange, SearchReturnOption } from "../wire/command.js";
import { formatPartialRange } from "../wire/grammar/partial-range.js";
import type { ImapResponse } from "../wire/response.js";
import type { SeqRange, SequenceSet } from "../wire/seqset.js";
import { selectPartial } from "./partial-window.js";

/** One matching message. */
export interface SearchHit {
  readonly uid: Uid;
  readonly position: number;
}

export interface SearchReplyInput {
  readonly tag: string;
  readonly isUid: boolean;
  /** RETURN options as sent; null for a SEARCH without RETURN. */
  readonly returns: readonly SearchReturnOption[] | null;
  /** RFC 9394 PARTIAL range, or null. */
  readonly partial: PartialRange | null;
  /** The client ENABLEd IMAP4rev2: a plain SEARCH answers with ESEARCH ALL. */
  readonly isRev2: boolean;
  /** Ascending for SEARCH, in sort order for SORT: MIN is the first, MAX the last. */
  readonly hits: readonly SearchHit[];
  /** RFC 7162 §3.1.5: the highest mod-sequence of the hits, when the criteria used MODSEQ. */
  readonly modSeq: ModSeq | null;
}

export interface SearchReply {
  /** Zero or one untagged response. */
  readonly responses: readonly ImapResponse[];
  /** The UIDs to save as `$`, or null when SAVE was not asked for. */
  readonly saved: readonly Uid[] | null;
}

export function buildSearchReply(input: SearchReplyInput): SearchReply {
  const { hits } = input;
  const numberOf = (hit: SearchHit): number => (input.isUid ? hit.uid : hit.position);
  if (input.returns === null && !input.isRev2) {
    const modSeq = hits.length > 0 ? input.modSeq : null;
    return { responses: [{ kind: "search", numbers: hits.map(numberOf), modSeq }], saved: null };
  }
  const asked = new Set<SearchReturnOption>(input.returns ?? []);
  const isSave = asked.delete("SAVE");
  // RFC 5267 §4.1: CONTEXT is a hint and UPDATE asks for later updates; neither is result data.
  asked.delete("CONTEXT");
  const isUpdate = asked.delete("UPDATE");
  const partial = input.partial;
  const hasData = asked.size > 0 || partial !== null;
  // RFC 4731 §3.1: `RETURN ()` means ALL (so does UPDATE alone: the client needs the starting set);
  // RFC 5182 §2.1: SAVE alone returns no ESEARCH at all.
  const isSaveOnly = isSave && !hasData && !isUpdate && input.returns !== null;
  if (!hasData && !isSaveOnly) asked.add("ALL");
  const first = hits[0];
  const last = hits.at(-1);
  const window = partial === null ? null : selectPartial(hits, partial);
  let saved: readonly Uid[] | null = null;
  if (isSave) {
    // RFC 5182 §2.4: with MIN and/or MAX but neither ALL nor COUNT, `$` holds just those messages;
    // RFC 9394 §3.1: with PARTIAL, just the messages of the window.
    const isMinMaxOnly = !asked.has("ALL") && !asked.has("COUNT") && (asked.has("MIN") || asked.has("MAX"));
    if (window !== null) saved = window.map((hit) => hit.uid).sort((a, b) => a - b);
    else if (!isMinMaxOnly) saved = hits.map((hit) => hit.uid).sort((a, b) => a - b);
    else {
      const picked = new Set<Uid>();
      if (asked.has("MIN") && first) picked.add(first.uid);
      if (asked.has("MAX") && last) picked.add(last.uid);
      saved = [...picked].sort((a, b) => a - b);
    }
  }
  if (isSaveOnly) return { responses: [], saved };
  const response: {
    kind: "esearch";
    tag: string;
    uid: boolean;
    min?: number;
    max?: number;
    all?: SequenceSet;
    count?: number;
    modSeq?: ModSeq;
    partial?: { range: string; set: SequenceSet | null };
  } = { kind: "esearch", tag: input.tag, uid: input.isUid };
  if (first && last) {
    if (asked.has("MIN")) response.min = numberOf(first);
    if (asked.has("MAX")) response.max = numberOf(last);
    if (asked.has("ALL")) response.all = compactSet(hits.map(numberOf));
    if (input.modSeq !== null) response.modSeq = input.modSeq;
  }
  if (asked.has("COUNT")) response.count = hits.length;
  if (partial !== null && window !== null) {
    response.partial = {
      range: formatPartialRange(partial),
      set: window.length === 0 ? null : compactSet(window.map(numberOf)),
    };
  }
  return { responses: [response], saved };
}

/** Ascending numbers as the shortest sequence set (`1:3,7`). */
export function compactSet(numbers: readonly number[]): SequenceSet {
  const ranges: SeqRange[] = [];
  for (const n of numbers) {
    const last = ranges.at(-1);
    if (last && typeof last.to === "number" && n === last.to + 1)
      ranges[ranges.length - 1] = { from: last.from, to: n };
    else ranges.push({ from: n, to: n });
  }
  return { kind: "ranges", ranges };
}
