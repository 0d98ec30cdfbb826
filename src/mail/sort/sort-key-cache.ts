// A bounded in-process cache of SORT/THREAD keys by email id: an email's content never changes, so its
// keys never do, and a client re-sorting a 100,000-message mailbox need not read them from the store again.
import type { EmailId } from "../../kit/ids.js";
import type { EmailSortKeys, MailboxEntry, MailStore } from "../../store/mail-store.js";

/** About 300 bytes each: the cache stays under ~50 MB while holding a whole 100,000-message mailbox. */
export const MAX_CACHED_SORT_KEYS = 150_000;

const caches = new WeakMap<MailStore, Map<EmailId, EmailSortKeys>>();

/** The sort keys of these entries' emails: cached ones from memory, the others in one store call. */
export async function loadSortKeys(
  store: MailStore,
  entries: readonly MailboxEntry[],
): Promise<ReadonlyMap<EmailId, EmailSortKeys>> {
  // A mailbox larger than the cache would evict its own keys: read it whole, past the cache.
  if (entries.length > MAX_CACHED_SORT_KEYS)
    return store.messages.getSortKeys(entries.map((entry) => entry.emailId));
  let cache = caches.get(store);
  if (cache === undefined) {
    cache = new Map();
    caches.set(store, cache);
  }
  const missing: EmailId[] = [];
  for (const entry of entries) if (!cache.has(entry.emailId)) missing.push(entry.emailId);
  if (missing.length === 0) return cache;
  const loaded = await store.messages.getSortKeys(missing);
  for (const [emailId, keys] of loaded) cache.set(emailId, keys);
  if (cache.size <= MAX_CACHED_SORT_KEYS) return cache;
  // Evicting (oldest insertions first) may drop keys this call needs: answer from a copy taken before.
  const result = new Map<EmailId, EmailSortKeys>();
  for (const entry of entries) {
    const keys = cache.get(entry.emailId);
    if (keys !== undefined) result.set(entry.emailId, keys);
  }
  let excess = cache.size - MAX_CACHED_SORT_KEYS;
  for (const emailId of cache.keys()) {
    if (excess-- <= 0) break;
    cache.delete(emailId);
  }
  return result;
}
