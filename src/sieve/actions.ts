// Collects the actions of one run and enforces RFC 5228 §2.10 rules on them: implicit keep is cancelled by
// keep, fileinto, redirect (without :copy), reject and discard; the same mailbox or address is acted on only
// once (§4.1, §4.2); reject/ereject exclude keep, fileinto, redirect and vacation (RFC 5429 §2.1, RFC 5230
// §4.7); one vacation per run; the action and redirect limits.

import type { SieveAction, SieveLimits, SieveVacation } from "./context.js";

/** An action refused by the rules; the interpreter turns it into a runtime error at the command's position. */
export class ActionConflict extends Error {}

type Store = Extract<SieveAction, { type: "keep" | "fileinto" }>;

export class ActionList {
  private readonly actions: SieveAction[] = [];
  private isImplicitKeep = true;
  private redirects = 0;
  private rejected: "reject" | "ereject" | null = null;
  private hasVacation = false;
  private hasStored = false;

  constructor(private readonly limits: SieveLimits) {}

  private count(): void {
    if (this.actions.length >= this.limits.maxActions) {
      throw new ActionConflict(`too many actions (at most ${this.limits.maxActions})`);
    }
  }

  private refuseAfterReject(what: string): void {
    if (this.rejected !== null)
      throw new ActionConflict(`${what} cannot be used together with ${this.rejected}`);
  }

  private store(action: Store): void {
    this.refuseAfterReject(action.type);
    const mailbox = action.type === "keep" ? "INBOX" : action.mailbox;
    const existing = this.actions.findIndex(
      (a) =>
        (a.type === "keep" || a.type === "fileinto") &&
        sameMailbox(a.type === "keep" ? "INBOX" : a.mailbox, mailbox),
    );
    if (existing >= 0) {
      // §4.1: delivering twice into one mailbox is one delivery; the later flags win (RFC 5232 §5).
      const before = this.actions[existing] as Store;
      this.actions[existing] = { ...before, flags: action.flags } as Store;
    } else {
      this.count();
      this.actions.push(action);
    }
    this.hasStored = true;
  }

  keep(flags: readonly string[]): void {
    this.store({ type: "keep", flags, isImplicit: false });
    this.isImplicitKeep = false;
  }

  fileinto(mailbox: string, flags: readonly string[], isCopy: boolean, create: boolean): void {
    this.store({ type: "fileinto", mailbox, flags, isCopy, create });
    if (!isCopy) this.isImplicitKeep = false;
  }

  redirect(address: string, isCopy: boolean): void {
    this.refuseAfterReject("redirect");
    if (!isCopy) this.isImplicitKeep = false;
    const lower = address.toLowerCase();
    if (this.actions.some((a) => a.type === "redirect" && a.address.toLowerCase() === lower)) return;
    if (this.redirects >= this.limits.maxRedirects) {
      throw new ActionConflict(`too many redirects (at most ${this.limits.maxRedirects})`);
    }
    this.count();
    this.redirects++;
    this.actions.push({ type: "redirect", address, isCopy });
    this.hasStored = true;
  }

  reject(type: "reject" | "ereject", reason: string): void {
    if (this.rejected !== null) throw new ActionConflict(`only one reject or ereject per message`);
    if (this.hasVacation) throw new ActionConflict(`${type} cannot be used together with vacation`);
    if (this.hasStored)
      throw new ActionConflict(`${type} cannot be used together with keep, fileinto or redirect`);
    this.count();
    this.rejected = type;
    this.isImplicitKeep = false;
    this.actions.push({ type, reason });
  }

  discard(): void {
    this.isImplicitKeep = false;
    if (!this.actions.some((a) => a.type === "discard")) this.actions.push({ type: "discard" });
  }

  /** Records a vacation; `reply` is null when §4.5–§5 say not to answer this message (it still counts). */
  vacation(reply: SieveVacation | null): void {
    if (this.hasVacation) throw new ActionConflict("only one vacation per message");
    if (this.rejected !== null)
      throw new ActionConflict(`vacation cannot be used together with ${this.rejected}`);
    this.count();
    this.hasVacation = true;
    if (reply !== null) this.actions.push(reply);
  }

  /** The final list: the implicit keep (with the flags in effect at the end) comes first when it applies. */
  finish(implicitFlags: readonly string[]): SieveAction[] {
    const list = this.actions.filter((a) => !(a.type === "discard" && this.hasStored));
    if (!this.isImplicitKeep) return list;
    if (list.some((a) => a.type === "keep" || (a.type === "fileinto" && sameMailbox(a.mailbox, "INBOX"))))
      return list;
    return [{ type: "keep", flags: implicitFlags, isImplicit: true }, ...list];
  }
}

function sameMailbox(a: string, b: string): boolean {
  // INBOX is case-insensitive (RFC 9051 §5.1); other names are compared exactly.
  return a === b || (a.toUpperCase() === "INBOX" && b.toUpperCase() === "INBOX");
}
