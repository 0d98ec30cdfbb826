// Recently read email summaries, kept in memory by both stores. A summary (ENVELOPE, BODYSTRUCTURE…) never
// changes once its email is stored, so a copy is never stale; clients ask for the same few again and again:
// every device fetches the headers of each new message, a client refreshes its newest fifty. Reading one
// from SQLite costs 2.5-5 us (more under writes) and from PostgreSQL a round trip; from here a Map lookup.
// Only small reads use it: a listing of a whole mailbox would push everything else out for nothing.
import type { EmailId } from "../kit/ids.js";
import type { EmailSummary, EmailSummaryHead, SummaryText } from "./mail-store.js";

/** Reads of at most this many emails go through the cache; larger ones go to the store as they are. */
export const SUMMARY_CACHE_MAX_READ = 64;
/** Bytes of summary text the cache holds at most (its strings, roughly; each entry counts its overhead). */
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
/** What an entry costs beyond its texts: the object, its key, the Map's slot. */
const ENTRY_OVERHEAD_BYTES = 200;

/** A summary with whichever texts were read so far. */
type CachedSummary = EmailSummaryHead & Partial<Pick<EmailSummary, SummaryText>>;

/** Reads a store's summaries of these emails with these texts; emails it does not know are left out. */
export type SummaryLoader = (
  emailIds: readonly EmailId[],
  texts: readonly SummaryText[],
) => Promise<Map<EmailId, EmailSummary>>;

export class SummaryCache {
  /** Least recently used first: a hit moves its entry to the end. */
  readonly #entries = new Map<EmailId, CachedSummary>();
  #bytes = 0;

  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  /**
   * The summaries of `emailIds` with at least `texts`: from the cache where it has them, the rest from
   * `load` (then kept). Reads of more than SUMMARY_CACHE_MAX_READ emails are passed to `load` untouched.
   */
  async read(
    emailIds: readonly EmailId[],
    texts: readonly SummaryText[],
    load: SummaryLoader,
  ): Promise<Map<EmailId, EmailSummary>> {
    if (emailIds.length > SUMMARY_CACHE_MAX_READ) return load(emailIds, texts);
    const found = new Map<EmailId, EmailSummary>();
    let missing: Set<EmailId> | null = null;
    for (const emailId of emailIds) {
      const cached = this.#entries.get(emailId);
      if (cached !== undefined && hasTexts(cached, texts)) {
        this.#entries.delete(emailId);
        this.#entries.set(emailId, cached);
        // Typed whole, as the stores' own reads are: callers see only the texts they asked for.
        found.set(emailId, cached as EmailSummary);
      } else {
        missing ??= new Set();
        missing.add(emailId);
      }
    }
    if (missing === null) return found;
    for (const [emailId, loaded] of await load([...missing], texts)) {
      this.#keep(emailId, loaded);
      found.set(emailId, loaded);
    }
    return found;
  }

  /** Forgets every summary: their emails may have been purged (a purged email's summary is no longer read). */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  /**
   * Keeps `loaded` (whose object has only the texts it was read with), with the texts an older copy of
   * the same email had and it lacks.
   */
  #keep(emailId: EmailId, loaded: CachedSummary): void {
    const older = this.#entries.get(emailId);
    const summary = older === undefined ? loaded : { ...older, ...loaded };
    if (older !== undefined) {
      this.#bytes -= sizeOf(older);
      this.#entries.delete(emailId);
    }
    this.#entries.set(emailId, summary);
    this.#bytes += sizeOf(summary);
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= sizeOf(entry);
    }
  }
}

function hasTexts(summary: CachedSummary, texts: readonly SummaryText[]): boolean {
  for (const text of texts) if (summary[text] === undefined) return false;
  return true;
}

function sizeOf(summary: CachedSummary): number {
  return (
    ENTRY_OVERHEAD_BYTES +
    (summary.envelope?.length ?? 0) +
    (summary.bodyStructure?.length ?? 0) +
    (summary.body?.length ?? 0) +
    (summary.preview?.length ?? 0)
  );
}
