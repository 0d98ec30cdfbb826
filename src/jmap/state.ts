// State strings (RFC 8620 §5.1) from the store's per-account change counter: one counter serves every
// data type, so a state string is the account's highest modseq, and /changes reads the change log since it.
import { asModSeq, type ModSeq } from "../kit/ids.js";
import type { AccountRecord } from "../store/mail-store.js";
import type { JmapContext } from "./jmap-context.js";
import { MethodError } from "./jmap-error.js";

export function formatState(modSeq: ModSeq | number): string {
  return `s${modSeq}`;
}

/** The modseq of a state string this server issued; cannotCalculateChanges for anything else. */
export function parseState(state: string, highest: ModSeq): ModSeq {
  const match = /^s(0|[1-9][0-9]{0,15})$/.exec(state);
  const value = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(value) || value > highest) {
    throw new MethodError("cannotCalculateChanges", "This state string was not issued by this server");
  }
  return asModSeq(value);
}

/** The account as it is now (its counter moves with every change). */
export async function currentAccount(ctx: JmapContext): Promise<AccountRecord> {
  return (await ctx.services.store.accounts.get(ctx.account.id)) ?? ctx.account;
}
