// Identities (RFC 8621 §6): one per address the account receives mail for — its primary address and each
// alias delivering to it, ids derived from the address, never deletable — plus identities a client
// created for one of those addresses (with their own name and signatures). Settings a client gives
// (name, replyTo, bcc, signatures) and created identities are kept in the store's jmap_objects (type
// "Identity", with its own change counter); an alias added or removed is recorded there too (mail/
// address-changes.ts). The state joins that counter and a digest of the addresses, so an address change
// that was not recorded still moves it.
import { createHash } from "node:crypto";
import { IDENTITY_TYPE, identityIdOf } from "../mail/address-changes.js";
import { ownAddresses as ownAddressesOf } from "../mail/own-addresses.js";
import type { AccountRecord, MailStore } from "../store/mail-store.js";
import type { JmapContext } from "./jmap-context.js";
import { MethodError } from "./jmap-error.js";
import type { EmailAddressValue } from "./message-writer.js";

export { IDENTITY_TYPE, identityIdOf };

export const IDENTITY_PROPERTIES = [
  "id",
  "name",
  "email",
  "replyTo",
  "bcc",
  "textSignature",
  "htmlSignature",
  "mayDelete",
] as const;

export interface Identity {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly replyTo: readonly EmailAddressValue[] | null;
  readonly bcc: readonly EmailAddressValue[] | null;
  readonly textSignature: string;
  readonly htmlSignature: string;
  readonly mayDelete: boolean;
}

/** The settable part, as stored (a created identity also stores its email). */
export interface StoredIdentity {
  readonly email?: string;
  readonly name: string;
  readonly replyTo: readonly EmailAddressValue[] | null;
  readonly bcc: readonly EmailAddressValue[] | null;
  readonly textSignature: string;
  readonly htmlSignature: string;
}

/** The account's own addresses: primary first, then the aliases that deliver to it. */
export function ownAddresses(ctx: JmapContext): Promise<string[]> {
  return ownAddressesOf(ctx.services.store, ctx.account);
}

const DEFAULTS: StoredIdentity = { name: "", replyTo: null, bcc: null, textSignature: "", htmlSignature: "" };

export interface IdentityList {
  readonly identities: readonly Identity[];
  readonly state: string;
  /** The digest of the addresses, part of the state. */
  readonly addressDigest: string;
  readonly modSeq: number;
}

export async function listIdentities(ctx: JmapContext): Promise<IdentityList> {
  const addresses = await ownAddresses(ctx);
  const { jmapObjects } = ctx.services.store;
  const modSeq = await jmapObjects.highestModSeq(ctx.account.id, IDENTITY_TYPE);
  const stored = new Map(
    (await jmapObjects.list(ctx.account.id, IDENTITY_TYPE)).map((r) => [
      r.id,
      JSON.parse(r.data as string) as StoredIdentity,
    ]),
  );
  const identities: Identity[] = addresses.map((email) => {
    const id = identityIdOf(email);
    const settings = stored.get(id) ?? DEFAULTS;
    return { ...DEFAULTS, ...settings, id, email, mayDelete: false };
  });
  const own = new Set(addresses.map((a) => a.toLowerCase()));
  for (const [id, settings] of stored) {
    // A created identity whose address the account lost (an alias removed) is not offered any more.
    if (settings.email !== undefined && own.has(settings.email.toLowerCase())) {
      identities.push({ ...DEFAULTS, ...settings, id, email: settings.email, mayDelete: true });
    }
  }
  const addressDigest = addressDigestOf(addresses);
  return { identities, state: `o${modSeq}-${addressDigest}`, addressDigest, modSeq };
}

function addressDigestOf(addresses: readonly string[]): string {
  return createHash("sha256").update(addresses.join("\n")).digest("base64url").slice(0, 12);
}

/** The state Identity/get would answer now, without building the identities (for push, RFC 8620 §7.1). */
export async function identityState(store: MailStore, account: AccountRecord): Promise<string> {
  const modSeq = await store.jmapObjects.highestModSeq(account.id, IDENTITY_TYPE);
  return `o${modSeq}-${addressDigestOf(await ownAddressesOf(store, account))}`;
}

/** A state given back by a client: its modseq, and whether the account had the same addresses then. */
export interface ParsedIdentityState {
  readonly modSeq: number;
  readonly hasSameAddresses: boolean;
}

/** Parses an identity state; cannotCalculateChanges when this server did not issue it. */
export function parseIdentityState(state: string, list: IdentityList): ParsedIdentityState {
  const match = /^o(0|[1-9][0-9]{0,15})-([A-Za-z0-9_-]{12})$/.exec(state);
  const value = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(value) || value > list.modSeq) {
    throw new MethodError("cannotCalculateChanges", "This state string was not issued by this server");
  }
  return { modSeq: value, hasSameAddresses: match?.[2] === list.addressDigest };
}
