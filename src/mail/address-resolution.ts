// Maps an envelope recipient (RFC 5321 §2.3.11 mailbox) to the accounts that receive it: account
// addresses, aliases with several targets, the domain's catch-all and sub-addressing (RFC 5233).
import type { AccountId } from "../kit/ids.js";
import type { MailStore } from "../store/mail-store.js";

export interface AddressPolicy {
  /** Sub-address separator ("+" in `alice+tag@…`); "" disables sub-addressing. */
  readonly recipientDelimiter: string;
  /** Deliver into the folder named by the detail (`tag`) when it exists. */
  readonly detailToFolder: boolean;
  /** Domains always compare case-insensitively (RFC 5321 §2.4); local parts only when this is false. */
  readonly localPartCaseSensitive: boolean;
}

/** One mailbox owner a message goes to; `folder` is a sub-address detail to try before INBOX. */
export interface DeliveryTarget {
  readonly accountId: AccountId;
  readonly accountAddress: string;
  readonly folder: string | null;
}

export type Resolution =
  | { readonly kind: "local"; readonly targets: readonly DeliveryTarget[] }
  | { readonly kind: "unknownUser" }
  | { readonly kind: "notLocal" };

/** Alias chains longer than this are treated as loops. */
const MAX_ALIAS_DEPTH = 8;

/** Splits at the last "@"; undefined when either side is empty. */
export function splitAddress(address: string): { local: string; domain: string } | undefined {
  const at = address.lastIndexOf("@");
  if (at <= 0 || at === address.length - 1) return undefined;
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

export class AddressResolver {
  constructor(
    private readonly store: MailStore,
    private readonly policy: AddressPolicy,
  ) {}

  async resolve(address: string): Promise<Resolution> {
    const parts = splitAddress(address);
    if (!parts) return { kind: "unknownUser" };
    const domain = parts.domain.toLowerCase();
    if (!(await this.store.domains.isLocalDomain(domain))) return { kind: "notLocal" };
    // Stored addresses are lower-case, so a case-sensitive local part matches only in lower case.
    if (this.policy.localPartCaseSensitive && parts.local !== parts.local.toLowerCase()) {
      return this.#viaCatchAll(domain);
    }
    const local = parts.local.toLowerCase();
    const exact = await this.#expand(`${local}@${domain}`, null, new Set(), 0);
    if (exact) return local_(exact);
    const delimiter = this.policy.recipientDelimiter;
    const cut = delimiter === "" ? -1 : local.indexOf(delimiter);
    if (cut > 0) {
      const detail = parts.local.slice(cut + delimiter.length);
      const folder = this.policy.detailToFolder && detail !== "" ? detail : null;
      const base = await this.#expand(`${local.slice(0, cut)}@${domain}`, folder, new Set(), 0);
      if (base) return local_(base);
    }
    return this.#viaCatchAll(domain);
  }

  async #viaCatchAll(domain: string): Promise<Resolution> {
    const catchAll = (await this.store.domains.getDomain(domain))?.catchAll ?? null;
    if (catchAll === null) return { kind: "unknownUser" };
    const targets = await this.#expand(catchAll, null, new Set(), 0);
    return targets ? local_(targets) : { kind: "unknownUser" };
  }

  /** The accounts behind an address (an account, or an alias expanded recursively); undefined if none. */
  async #expand(
    address: string,
    folder: string | null,
    seen: Set<string>,
    depth: number,
  ): Promise<DeliveryTarget[] | undefined> {
    if (seen.has(address) || depth > MAX_ALIAS_DEPTH) return undefined;
    seen.add(address);
    const account = await this.store.accounts.findByAddress(address);
    if (account) return [{ accountId: account.id, accountAddress: account.address, folder }];
    const alias = await this.store.domains.findAlias(address);
    if (!alias) return undefined;
    const targets: DeliveryTarget[] = [];
    for (const target of alias.targets) {
      for (const found of (await this.#expand(target, folder, seen, depth + 1)) ?? []) {
        if (!targets.some((t) => t.accountId === found.accountId)) targets.push(found);
      }
    }
    return targets.length > 0 ? targets : undefined;
  }
}

const local_ = (targets: readonly DeliveryTarget[]): Resolution => ({ kind: "local", targets });
