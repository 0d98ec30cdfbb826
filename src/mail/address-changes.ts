// An account's addresses as a change feed (RFC 8621 §6 Identity, RFC 8620 §5.2 /changes): each address
// gives the account an identity whose id derives from the address, so an alias added or removed is an
// identity created or destroyed. Recorded in the store's JMAP objects under the identities' own counter
// (whose every write publishes a change event on both backends), so Identity/changes and push see it.
import type { MailStore } from "../store/mail-store.js";

/** The JMAP object type identities are kept under (their settings, and these address records). */
export const IDENTITY_TYPE = "Identity";

/** A derived identity's id: its address in URL-safe base64, so it is stable and names no database row. */
export function identityIdOf(address: string): string {
  return `I${Buffer.from(address, "utf8").toString("base64url")}`;
}

/**
 * Records that `address` (an alias) now delivers, or no longer delivers, to each of `targets` that is an
 * account: the identity appears (a fresh one, no settings) or leaves a tombstone. Called after the alias
 * change committed; targets that are not accounts (another alias) are skipped.
 */
export async function recordAliasChange(
  store: MailStore,
  address: string,
  targets: readonly string[],
  isPresent: boolean,
): Promise<void> {
  const id = identityIdOf(address.toLowerCase());
  for (const target of new Set(targets.map((t) => t.toLowerCase()))) {
    const account = await store.accounts.findByAddress(target);
    if (account === undefined) continue;
    if (isPresent) {
      await store.jmapObjects.put(account.id, IDENTITY_TYPE, id, "{}");
    } else {
      // destroy() moves the counter only for a live row: an identity nobody gave settings has none.
      await store.jmapObjects.put(account.id, IDENTITY_TYPE, id, "{}");
      await store.jmapObjects.destroy(account.id, IDENTITY_TYPE, id);
    }
  }
}
