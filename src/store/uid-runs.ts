// UID sets as ranges for both backends' set-based writes: a flag update over 100,000 UIDs becomes a few
// `uid BETWEEN ? AND ?` conditions instead of one parameter per UID.
import type { Uid } from "../kit/ids.js";

/** The distinct UIDs as ascending runs of consecutive values, [first, last] each. */
export function uidRuns(uids: readonly Uid[]): [number, number][] {
  // IMAP passes a snapshot's UIDs in ascending order: sort only what is not sorted already.
  const isAscending = uids.every((uid, i) => i === 0 || uid >= (uids[i - 1] as number));
  const sorted = isAscending ? uids : Uint32Array.from(uids).sort();
  const runs: [number, number][] = [];
  for (const uid of sorted) {
    const last = runs.at(-1);
    if (last && uid <= last[1] + 1) last[1] = uid;
    else runs.push([uid, uid]);
  }
  return runs;
}
