// What one session's NOTIFY SET watches (RFC 5465 §5, §6) and the untagged responses it owes for the
// mailboxes other than the selected one: STATUS when messages come, go or change flags (§5.1-§5.3),
// LIST for created, deleted and renamed mailboxes (§5.4, OLDNAME) and for subscription changes (§5.5),
// METADATA naming the changed annotations of mailboxes (§5.6) and of the server (§5.7).
// It never trusts a change notification's content: it keeps the last state it announced of each
// mailbox and compares it with the store's. Only sessions that sent NOTIFY SET have one.
// Folders other accounts share (RFC 4314, `Shared/<owner>/…`) are watched when a `subtree` or `mailboxes`
// name reaches into the shared namespace (never through `personal`/`inboxes`, §6), only while the user
// may list them (l); their message and annotation events also need r (§5: nothing about mailboxes the
// user cannot see). A folder the user loses l on is announced as deleted, one they gain it on as created.
import type { AccountId, MailboxId } from "../../kit/ids.js";
import type { AccessUser, MailboxAccess } from "../../mail/access/mailbox-access.js";
import { HIERARCHY_DELIMITER, normalizeMailboxName } from "../../mail/mailbox-name.js";
import type { AccountRecord, MailboxRecord, MailStore } from "../../store/mail-store.js";
import { parseMailboxRef, SHARED_ROOT, sharedName } from "../session/mailbox-access.js";
import type { NotifyFilter, NotifySetArguments, StatusItem } from "../wire/command.js";
import type { FetchItems } from "../wire/fetch-attribute.js";
import { MESSAGE_EVENTS } from "../wire/grammar/notify.js";
import type { ImapResponse, ListResponseData } from "../wire/response.js";

/** The events this server reports (RFC 5465 §5). */
export const SUPPORTED_NOTIFY_EVENTS = [
  "MessageNew",
  "MessageExpunge",
  "FlagChange",
  "AnnotationChange",
  "MailboxName",
  "SubscriptionChange",
  "MailboxMetadataChange",
  "ServerMetadataChange",
] as const;

/** The server's annotations in the metadata snapshot (IMAP's mailbox name ""). */
const SERVER = "";

/** Annotations by full entry name (`/shared/comment`) → value, to tell which changed. */
type MetadataSnapshot = Map<string, string>;

/** Notifier events received without being announced before the session gives up (§5.8). */
export const MAX_QUEUED_NOTIFY_EVENTS = 5_000;
/** New messages of the selected mailbox announced with MessageNew's fetch attributes at one time, at most. */
export const MAX_NOTIFY_FETCH_MESSAGES = 500;
/** Mailbox names a NOTIFY SET may list under `subtree` and `mailboxes` together. */
export const MAX_NOTIFY_MAILBOX_NAMES = 200;

/** The `selected`/`selected-delayed` part of a NOTIFY SET: how the selected mailbox is watched. */
export interface SelectedWatch {
  /** `selected`: expunges are announced as soon as they happen, not only when a command allows it. */
  readonly isImmediateExpunge: boolean;
  readonly hasFlagChange: boolean;
  /** MessageNew's fetch attributes: sent in a FETCH after EXISTS for each new message. */
  readonly fetch: FetchItems | null;
}

interface WatchGroup {
  readonly filter: NotifyFilter;
  readonly events: ReadonlySet<string>;
}

/** What was last announced of a mailbox; `counts` null when the next state is a silent baseline. */
interface KnownMailbox {
  readonly name: string;
  readonly isSubscribed: boolean;
  readonly counts: MailboxCounts | null;
}

interface MailboxCounts {
  readonly messages: number;
  readonly uidNext: number;
  readonly unseen: number;
  readonly highestModSeq: number;
}

const countsOf = (record: MailboxRecord): MailboxCounts => ({
  messages: record.messageCount,
  uidNext: record.uidNext,
  unseen: record.unseenCount,
  highestModSeq: record.highestModSeq,
});

function canonicalName(name: string): string {
  try {
    return normalizeMailboxName(name);
  } catch {
    return name; // not a valid name: it matches no mailbox, which the RFC says to ignore (§3.1)
  }
}

/** The events the non-selected groups ask for a mailbox name (the union of every matching group). */
function eventsFor(groups: readonly WatchGroup[], name: string, isSubscribed: boolean): Set<string> {
  const events = new Set<string>();
  for (const group of groups) {
    const filter = group.filter;
    let isMatch: boolean;
    switch (filter.kind) {
      case "selected":
      case "selected-delayed":
        isMatch = false;
        break;
      // Mail is delivered to any folder (plus addressing), so every personal mailbox is an inbox (§6.3).
      // Other users' folders are neither personal nor inboxes (§6).
      case "inboxes":
      case "personal":
        isMatch = !isSharedName(name);
        break;
      case "subscribed":
        isMatch = isSubscribed;
        break;
      case "subtree":
        isMatch = filter.mailboxes.some(
          (root) => name === root || name.startsWith(`${root}${HIERARCHY_DELIMITER}`),
        );
        break;
      case "mailboxes":
        isMatch = filter.mailboxes.includes(name);
        break;
    }
    if (isMatch) for (const event of group.events) events.add(event);
  }
  return events;
}

/** A name in the shared namespace (`Shared/…`), where other accounts' folders are. */
function isSharedName(name: string): boolean {
  return name === SHARED_ROOT || name.startsWith(`${SHARED_ROOT}${HIERARCHY_DELIMITER}`);
}

/** A shared folder under the name the user sees; not subscribed (the record's flag is the owner's). */
function asSeenByUser(owner: string, record: MailboxRecord): MailboxRecord {
  return { ...record, name: sharedName(owner, record.name), subscribed: false, specialUse: null };
}

const hasMessageEvent = (events: ReadonlySet<string>): boolean =>
  [...events].some((e) => MESSAGE_EVENTS.has(e));

export class NotifyWatch {
  readonly #known = new Map<MailboxId, KnownMailbox>();
  /** Mailboxes a notification named since the last collect; `isAllChanged` when one named none. */
  #changed = new Set<MailboxId>();
  #isAllChanged = false;
  #queuedEvents = 0;
  /** Last announced annotations of the server and of mailboxes watched for metadata events. */
  readonly #metadata = new Map<MailboxId | typeof SERVER, MetadataSnapshot>();
  /** Shared folders being watched: their owner's account, and whether the user may read them (r). */
  readonly #shared = new Map<MailboxId, { readonly ownerId: AccountId; readonly isReadable: boolean }>();
  /** Owners whose changes matter: those named in the filters, and those of watched shared folders. */
  readonly #sharedOwners = new Set<AccountId>();

  private constructor(
    private readonly store: MailStore,
    private readonly account: AccountRecord,
    private readonly groups: readonly WatchGroup[],
    readonly selected: SelectedWatch | null,
    private readonly access: MailboxAccess,
    /** Whether any filter name reaches into the shared namespace. */
    private readonly watchesShared: boolean,
  ) {}

  /** The events of a NOTIFY SET this server does not support, in the order given (each once). */
  static unsupportedEvents(set: NotifySetArguments): string[] {
    const supported: ReadonlySet<string> = new Set(SUPPORTED_NOTIFY_EVENTS);
    const unsupported = new Set<string>();
    for (const group of set.groups) {
      for (const event of group.events ?? []) if (!supported.has(event.name)) unsupported.add(event.name);
    }
    return [...unsupported];
  }

  static mailboxNameCount(set: NotifySetArguments): number {
    let count = 0;
    for (const { filter } of set.groups) {
      if (filter.kind === "subtree" || filter.kind === "mailboxes") count += filter.mailboxes.length;
    }
    return count;
  }

  /** Starts watching: the account's mailboxes as they are now are the baseline nothing is announced for. */
  static async start(
    store: MailStore,
    access: MailboxAccess,
    account: AccountRecord,
    set: NotifySetArguments,
  ): Promise<NotifyWatch> {
    const groups: WatchGroup[] = [];
    let selected: SelectedWatch | null = null;
    for (const group of set.groups) {
      const filter = group.filter;
      if (filter.kind === "selected" || filter.kind === "selected-delayed") {
        if (group.events === null) continue; // SELECTED NONE: no message events for the selected mailbox
        selected = {
          isImmediateExpunge: filter.kind === "selected",
          hasFlagChange: group.events.some((e) => e.name === "FlagChange"),
          fetch: group.events.find((e) => e.name === "MessageNew")?.fetch ?? null,
        };
        continue;
      }
      if (group.events === null) continue; // NONE is what an absent group means too (§5)
      const normalized: NotifyFilter =
        filter.kind === "subtree" || filter.kind === "mailboxes"
          ? { kind: filter.kind, mailboxes: filter.mailboxes.map(canonicalName) }
          : filter;
      groups.push({ filter: normalized, events: new Set(group.events.map((e) => e.name)) });
    }
    const sharedNames = groups.flatMap(({ filter }) =>
      filter.kind === "subtree" || filter.kind === "mailboxes" ? filter.mailboxes.filter(isSharedName) : [],
    );
    const watch = new NotifyWatch(store, account, groups, selected, access, sharedNames.length > 0);
    for (const record of await store.mailboxes.list(account.id)) watch.#remember(record);
    // Owners named in the filters are followed even before they share anything the filters match.
    for (const name of sharedNames) {
      const ref = parseMailboxRef(name);
      const owner = ref.kind === "shared" ? await access.findOwner(ref.ownerAddress) : undefined;
      if (owner !== undefined && owner.id !== account.id) watch.#sharedOwners.add(owner.id);
    }
    for (const record of await watch.#sharedRecords()) watch.#remember(record);
    if (watch.#watchesMetadata) {
      for (const [key, snapshot] of await watch.#readMetadata(undefined)) watch.#metadata.set(key, snapshot);
    }
    return watch;
  }

  /** Other accounts whose change notifications the session must pass on (owners of watched shared folders). */
  get sharedOwnerIds(): ReadonlySet<AccountId> {
    return this.#sharedOwners;
  }

  /**
   * The shared folders the filters reach and the user may list, under their `Shared/…` names (none when
   * no filter names the shared namespace). Remembers their owners and whether they are readable.
   */
  async #sharedRecords(): Promise<MailboxRecord[]> {
    if (!this.watchesShared) return [];
    const user: AccessUser = { id: this.account.id, address: this.account.address };
    this.#shared.clear();
    const records: MailboxRecord[] = [];
    for (const { owner, mailbox, rights } of await this.access.sharedWith(user)) {
      const record = asSeenByUser(owner.address, mailbox);
      if (eventsFor(this.groups, record.name, false).size === 0) continue;
      this.#shared.set(mailbox.id, { ownerId: owner.id, isReadable: rights.has("r") });
      this.#sharedOwners.add(owner.id);
      records.push(record);
    }
    return records;
  }

  /** The events a mailbox gets: a shared folder's message and annotation events need the r right. */
  #eventsOf(record: MailboxRecord): Set<string> {
    const events = eventsFor(this.groups, record.name, record.subscribed);
    const shared = this.#shared.get(record.id);
    if (shared !== undefined && !shared.isReadable) {
      for (const event of [...events]) {
        if (MESSAGE_EVENTS.has(event) || event === "MailboxMetadataChange") events.delete(event);
      }
    }
    return events;
  }

  /** Whether anything but the selected mailbox is watched (then every change of the account matters). */
  get watchesOthers(): boolean {
    return this.groups.length > 0;
  }

  /** A change notification (null: any mailbox may have changed). Cheap: called for every commit. */
  markChanged(mailboxId: MailboxId | null): void {
    this.#queuedEvents++;
    if (mailboxId === null) this.#isAllChanged = true;
    else this.#changed.add(mailboxId);
  }

  /** More changes waited than the session can be expected to catch up on (RFC 5465 §5.8). */
  get isOverflowed(): boolean {
    return this.#queuedEvents > MAX_QUEUED_NOTIFY_EVENTS;
  }

  get hasChanges(): boolean {
    return this.#isAllChanged || this.#changed.size > 0;
  }

  /**
   * The mailbox stops (or starts) being the selected one: its counts were not tracked while selected,
   * so its next state is taken as a baseline without a STATUS.
   */
  rebaseline(mailboxId: MailboxId): void {
    const known = this.#known.get(mailboxId);
    if (known) this.#known.set(mailboxId, { ...known, counts: null });
    this.#changed.add(mailboxId);
  }

  /**
   * STATUS responses for NOTIFY SET STATUS (RFC 5465 §3.1): every watched mailbox with message events
   * but the selected one, with MESSAGES, UIDNEXT, UIDVALIDITY and UNSEEN (and HIGHESTMODSEQ under
   * CONDSTORE or for FlagChange).
   */
  async initialStatus(selectedId: MailboxId | null, isCondstore: boolean): Promise<ImapResponse[]> {
    const responses: ImapResponse[] = [];
    const own = await this.store.mailboxes.list(this.account.id);
    for (const record of [...own, ...(await this.#sharedRecords())]) {
      if (record.id === selectedId) continue;
      const events = this.#eventsOf(record);
      if (!hasMessageEvent(events)) continue;
      responses.push(this.#status(record, events, isCondstore, true));
      this.#remember(record);
    }
    return responses;
  }

  /**
   * Reads the mailboxes notifications named and returns what the client is owed for them. The
   * selected mailbox gets no STATUS (its changes come as EXISTS, EXPUNGE and FETCH).
   */
  async collect(selectedId: MailboxId | null, isCondstore: boolean): Promise<ImapResponse[]> {
    if (!this.hasChanges) return [];
    const changed = this.#changed;
    const isAllChangedBefore = this.#isAllChanged;
    const isAll = this.#isAllChanged || [...changed].some((id) => !this.#known.has(id));
    const isSharedChanged = isAll || [...changed].some((id) => this.#shared.has(id));
    const sharedBefore = [...this.#shared.keys()];
    this.#changed = new Set();
    this.#isAllChanged = false;
    this.#queuedEvents = 0;
    const current = new Map<MailboxId, MailboxRecord | undefined>();
    if (isAll) {
      // A mailbox we do not know was created; listing once also finds any deleted meanwhile.
      for (const id of this.#known.keys()) current.set(id, undefined);
      for (const record of await this.store.mailboxes.list(this.account.id)) current.set(record.id, record);
    } else {
      for (const id of changed) {
        if (!this.#shared.has(id)) current.set(id, await this.store.mailboxes.get(this.account.id, id));
      }
    }
    if (isSharedChanged && this.watchesShared) {
      // Rights are read again with the folders: a revoked l makes a folder vanish from the watch.
      for (const id of sharedBefore) current.set(id, undefined);
      for (const record of await this.#sharedRecords()) current.set(record.id, record);
    }
    const responses: ImapResponse[] = [];
    const metadataTargets = new Map<MailboxId | null, string>();
    // The server's annotations changed only with an event that named no mailbox.
    if (this.#isServerMetadataWatched && isAllChangedBefore) metadataTargets.set(null, SERVER);
    for (const [id, record] of current) {
      const known = this.#known.get(id);
      if (record === undefined) {
        this.#metadata.delete(id);
        if (known === undefined) continue;
        this.#known.delete(id);
        if (eventsFor(this.groups, known.name, known.isSubscribed).has("MailboxName")) {
          responses.push(listResponse(known.name, ["\\NonExistent"]));
        }
        continue;
      }
      this.#remember(record);
      const events = this.#eventsOf(record);
      if (events.has("MailboxMetadataChange")) metadataTargets.set(id, record.name);
      if (known === undefined) {
        if (events.has("MailboxName")) responses.push(listResponse(record.name, attributesOf(record)));
        continue;
      }
      if (known.name !== record.name) {
        const oldEvents = eventsFor(this.groups, known.name, known.isSubscribed);
        if (events.has("MailboxName") || oldEvents.has("MailboxName")) {
          responses.push(listResponse(record.name, attributesOf(record), known.name));
        }
      } else if (known.isSubscribed !== record.subscribed && events.has("SubscriptionChange")) {
        responses.push(listResponse(record.name, attributesOf(record)));
      }
      if (id === selectedId || known.counts === null) continue;
      const before = known.counts;
      const isMessageChange = before.messages !== record.messageCount || before.uidNext !== record.uidNext;
      const isFlagChange =
        before.highestModSeq !== record.highestModSeq || before.unseen !== record.unseenCount;
      if (
        (isMessageChange && (events.has("MessageNew") || events.has("MessageExpunge"))) ||
        (!isMessageChange && isFlagChange && events.has("FlagChange"))
      ) {
        responses.push(this.#status(record, events, isCondstore, false));
      }
    }
    responses.push(...(await this.#metadataChanges(metadataTargets)));
    return responses;
  }

  get #isServerMetadataWatched(): boolean {
    return this.groups.some((g) => g.events.has("ServerMetadataChange"));
  }

  get #watchesMetadata(): boolean {
    return this.groups.some(
      (g) => g.events.has("MailboxMetadataChange") || g.events.has("ServerMetadataChange"),
    );
  }

  /** The annotations this account sees, of the given mailboxes (null: the server), or of all. */
  async #readMetadata(
    ids: readonly (MailboxId | null)[] | undefined,
  ): Promise<Map<MailboxId | typeof SERVER, MetadataSnapshot>> {
    const snapshots = new Map<MailboxId | typeof SERVER, MetadataSnapshot>();
    for (const id of ids ?? []) snapshots.set(id ?? SERVER, new Map());
    const ownIds = ids?.filter((id) => id === null || !this.#shared.has(id));
    const records = await this.store.metadata.list(this.account.id, this.account.id, ownIds);
    // A shared folder's annotations live in its owner's account; the user's private ones there too.
    const sharedIds = ids === undefined ? [...this.#shared.keys()] : ids.filter((id) => id !== null);
    for (const id of sharedIds) {
      const shared = this.#shared.get(id);
      if (shared === undefined || !shared.isReadable) continue;
      records.push(...(await this.store.metadata.list(shared.ownerId, this.account.id, [id])));
    }
    for (const record of records) {
      const key = record.mailboxId ?? SERVER;
      let snapshot = snapshots.get(key);
      if (snapshot === undefined) {
        snapshot = new Map();
        snapshots.set(key, snapshot);
      }
      const entry = `${record.ownerId === null ? "/shared" : "/private"}${record.name}`;
      snapshot.set(entry, Buffer.from(record.value).toString("latin1"));
    }
    return snapshots;
  }

  /**
   * `* METADATA name entry…` for the annotations that changed since last announced (§5.6, §5.7):
   * added, changed and removed ones alike. `mailboxes` maps the ids to read to their names.
   */
  async #metadataChanges(mailboxes: ReadonlyMap<MailboxId | null, string>): Promise<ImapResponse[]> {
    if (mailboxes.size === 0) return [];
    const current = await this.#readMetadata([...mailboxes.keys()]);
    const responses: ImapResponse[] = [];
    for (const [id, name] of mailboxes) {
      const key = id ?? SERVER;
      const before = this.#metadata.get(key) ?? new Map<string, string>();
      const after = current.get(key) ?? new Map<string, string>();
      const names = [...new Set([...before.keys(), ...after.keys()])]
        .filter((entry) => before.get(entry) !== after.get(entry))
        .sort();
      this.#metadata.set(key, after);
      if (names.length > 0) responses.push({ kind: "metadataChanged", mailbox: name, names });
    }
    return responses;
  }

  #remember(record: MailboxRecord): void {
    this.#known.set(record.id, {
      name: record.name,
      isSubscribed: record.subscribed,
      counts: countsOf(record),
    });
  }

  #status(
    record: MailboxRecord,
    events: ReadonlySet<string>,
    isCondstore: boolean,
    isInitial: boolean,
  ): ImapResponse {
    const items: { item: StatusItem; value: number }[] = [
      { item: "MESSAGES", value: record.messageCount },
      { item: "UIDNEXT", value: record.uidNext },
    ];
    if (isInitial || isCondstore) items.push({ item: "UIDVALIDITY", value: record.uidValidity });
    items.push({ item: "UNSEEN", value: record.unseenCount });
    if (isCondstore || events.has("FlagChange"))
      items.push({ item: "HIGHESTMODSEQ", value: record.highestModSeq });
    return { kind: "status", mailbox: record.name, items };
  }
}

function attributesOf(record: MailboxRecord): string[] {
  const attributes: string[] = [];
  if (record.subscribed) attributes.push("\\Subscribed");
  if (record.specialUse !== null) attributes.push(record.specialUse);
  return attributes;
}

function listResponse(name: string, attributes: readonly string[], oldName?: string): ImapResponse {
  const data: ListResponseData = { attributes, delimiter: HIERARCHY_DELIMITER, mailbox: name };
  return { kind: "list", ...data, ...(oldName === undefined ? {} : { oldName }) };
}
