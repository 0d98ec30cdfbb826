// Test support for the reader (not used at run time): feeds input in pieces and collects events in a
// form that is independent of where the input was split (literal chunks merged, bytes copied).

import type { ImapReaderLimits } from "./limits.js";
import { ImapReader, type ReaderEvent } from "./reader.js";

export type CollectedEvent =
  | Exclude<ReaderEvent, { kind: "literalChunk" }>
  | { kind: "literalChunk"; bytes: number[] };

/** Reacts to events between them (e.g. rejects a literal, switches mode); default: nothing. */
export type EventHook = (event: ReaderEvent, reader: ImapReader) => void;

export const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Feeds `pieces` in order and returns the events, with adjacent literal chunks merged. */
export function collectEvents(
  pieces: readonly Uint8Array[],
  limits: Partial<ImapReaderLimits> = {},
  hook: EventHook = () => {},
  reader = new ImapReader(limits),
): CollectedEvent[] {
  const events: CollectedEvent[] = [];
  for (const piece of pieces) {
    for (const event of reader.feed(piece)) {
      hook(event, reader);
      const last = events[events.length - 1];
      if (event.kind === "literalChunk") {
        if (last?.kind === "literalChunk") last.bytes.push(...event.bytes);
        else events.push({ kind: "literalChunk", bytes: [...event.bytes] });
      } else {
        events.push(event);
      }
    }
  }
  return events;
}

/** Every way of cutting `input` that the split-point tests check: whole, each 2-way split, byte by byte. */
export function* splits(input: Uint8Array): Generator<Uint8Array[]> {
  yield [input];
  for (let at = 1; at < input.length; at++) yield [input.subarray(0, at), input.subarray(at)];
  yield [...input].map((b) => Uint8Array.of(b));
}
