// The UIDs a session sees as \Recent (RFC 3501 §2.3.2), kept as ascending UID ranges rather than one
// set element per message: every claim takes new messages above the mailbox's recent floor, and new
// messages always have higher UIDs than the ones before them, so a session's recent UIDs are a few
// ranges (usually one) whatever the mailbox's size. Checking a UID is then a comparison or two, which
// matters to a FETCH of FLAGS over a whole mailbox.
import type { Uid } from "../../kit/ids.js";

interface UidRange {
  readonly from: Uid;
  to: Uid;
}

export class RecentUids {
  readonly #ranges: UidRange[] = [];
  /** Recent messages still in the snapshot: claimed ones minus those expunged since. */
  #count = 0;

  get size(): number {
    return this.#count;
  }

  has(uid: Uid): boolean {
    for (let i = this.#ranges.length - 1; i >= 0; i--) {
      const range = this.#ranges[i] as UidRange;
      if (uid > range.to) return false;
      if (uid >= range.from) return true;
    }
    return false;
  }

  /**
   * Claims the messages of `uids` (ascending, all above every UID claimed before) from `floor` up.
   * `isContiguous`: no message of the snapshot lies between the last claimed range and these, so the
   * range grows instead of a new one being added (a session that hears of one new message at a time
   * still holds one range).
   */
  claim(uids: readonly Uid[], floor: Uid, isContiguous: boolean): void {
    let first = 0;
    while (first < uids.length && (uids[first] as Uid) < floor) first++;
    if (first === uids.length) return;
    const from = uids[first] as Uid;
    const to = uids[uids.length - 1] as Uid;
    this.#count += uids.length - first;
    const last = this.#ranges.at(-1);
    if (last !== undefined && isContiguous && first === 0) last.to = to;
    else this.#ranges.push({ from, to });
  }

  /** An expunged message leaves the count; its UID is never used again, so the ranges may keep it. */
  expunged(uid: Uid): void {
    if (this.has(uid)) this.#count--;
  }
}
