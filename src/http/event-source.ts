// The JMAP push channel (RFC 8620 §7.3): an EventSource (text/event-stream) response that sends a "state"
// event with a StateChange (§7.1) whenever the account (or an account sharing mailboxes with the user)
// changes, through subscriptions to the store's change notifier (as IMAP IDLE). Notifications are hints: each wake re-reads the states, so a burst of
// changes becomes one event, and at most one event is ever waiting for the socket (bounded memory).
import type { ServerResponse } from "node:http";
import type { SessionRegistry } from "../auth/session-registry.js";
import { jmapAccountId } from "../jmap/jmap-context.js";
import {
  changedStates,
  type PushStates,
  type PushType,
  parsePushTypes,
  readPushStates,
  SHARED_PUSH_TYPES,
} from "../jmap/push/push-states.js";
import { listSharedAccounts } from "../jmap/shared-accounts.js";
import type { Logger } from "../kit/logger.js";
import type { AccountRecord, MailStore } from "../store/mail-store.js";

/** Ping intervals the client may ask for are clamped to this range (RFC 8620 §7.3 lets the server). */
export const MIN_PING_SECONDS = 1;
export const MAX_PING_SECONDS = 300;

export interface EventSourceRequest {
  readonly types: ReadonlySet<PushType>;
  readonly closeAfterState: boolean;
  /** Seconds between pings; 0 for none. */
  readonly pingSeconds: number;
}

/** The query parameters, or a text saying which one is malformed. */
export function parseEventSourceQuery(params: URLSearchParams): EventSourceRequest | string {
  const closeAfter = params.get("closeafter") ?? "no";
  if (closeAfter !== "state" && closeAfter !== "no") return '"closeafter" must be "state" or "no"';
  const pingText = params.get("ping") ?? "0";
  if (!/^[0-9]{1,9}$/.test(pingText)) return '"ping" must be a non-negative integer';
  const ping = Number(pingText);
  return {
    types: parsePushTypes(params.get("types")),
    closeAfterState: closeAfter === "state",
    pingSeconds: ping === 0 ? 0 : Math.min(MAX_PING_SECONDS, Math.max(MIN_PING_SECONDS, ping)),
  };
}

export interface EventSourceDeps {
  readonly store: MailStore;
  readonly log: Logger;
  /** Aborted when the server shuts down: the stream then ends cleanly. */
  readonly closing: AbortSignal;
  /** The stream registers here so an administrator's kick of the account ends it. */
  readonly sessions?: SessionRegistry;
}

/** Streams events until the client goes, closeafter=state is met, or the server shuts down. */
export async function serveEventSource(
  deps: EventSourceDeps,
  account: AccountRecord,
  request: EventSourceRequest,
  res: ServerResponse,
): Promise<void> {
  const { store, log } = deps;
  let isDirty = false;
  let isRunning = false;
  let isDone = false;
  let pingTimer: NodeJS.Timeout | null = null;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  // The user's account and those sharing mailboxes with them when the stream opened (each owner's
  // counter moves their states; only their mail types, so no one learns another's arrivals, submissions,
  // identities or vacation settings).
  const shared = await listSharedAccounts(store, account).catch(() => []);
  const accounts = [account, ...shared.map((s) => s.owner)];
  const sharedTypes = new Set([...request.types].filter((type) => SHARED_PUSH_TYPES.has(type)));
  const typesOf = (a: AccountRecord): ReadonlySet<PushType> => (a === account ? request.types : sharedTypes);
  // Subscribe before reading the first states, so no change can fall between the two.
  const unsubscribes = accounts.map((a) =>
    store.notifier.subscribe(a.id, () => {
      isDirty = true;
      if (!isRunning) void pushChanges();
    }),
  );
  const unsubscribe = (): void => {
    for (const stop of unsubscribes) stop();
  };
  const ended = new AbortController();
  const finish = (): void => {
    if (isDone) return;
    isDone = true;
    ended.abort();
    unsubscribe();
    if (pingTimer !== null) clearTimeout(pingTimer);
    deps.closing.removeEventListener("abort", finish);
    if (!res.writableEnded) res.end();
    resolveDone();
  };
  // The response closes when the client goes (the socket closes) as well as when it is ended here.
  res.once("close", finish);
  deps.closing.addEventListener("abort", finish, { once: true });
  deps.sessions?.track(account.id, ended.signal, async () => finish());

  let sent: Map<AccountRecord, PushStates> | undefined;
  try {
    sent = await readAllStates();
  } catch (error) {
    log.error({ err: error }, "EventSource: reading the account's state failed");
  }
  if (sent === undefined || isDone) {
    finish();
    if (!res.headersSent) res.destroy();
    return;
  }
  let current: Map<AccountRecord, PushStates> = sent;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-store",
    // Proxies such as nginx would otherwise hold events back in their buffer.
    "x-accel-buffering": "no",
  });
  res.flushHeaders();
  schedulePing();
  if (isDirty) void pushChanges();

  async function pushChanges(): Promise<void> {
    isRunning = true;
    try {
      while (isDirty && !isDone) {
        isDirty = false;
        const now = await readAllStates();
        if (now === undefined || isDone) return finish();
        const changed: Record<string, Partial<Record<PushType, string>>> = {};
        for (const [a, states] of now) {
          const before = current.get(a);
          const moved = before === undefined ? {} : changedStates(before, states);
          if (Object.keys(moved).length > 0) changed[jmapAccountId(a)] = moved;
        }
        current = now;
        if (Object.keys(changed).length === 0) continue;
        const event = { "@type": "StateChange", changed };
        await writeEvent("state", event);
        if (request.closeAfterState) return finish();
      }
    } catch (error) {
      log.error({ err: error }, "EventSource: pushing a state change failed");
      finish();
    } finally {
      isRunning = false;
    }
  }

  /** The states of every account of the stream; undefined when the user's own is gone. */
  async function readAllStates(): Promise<Map<AccountRecord, PushStates> | undefined> {
    const states = new Map<AccountRecord, PushStates>();
    for (const a of accounts) {
      const read = await readPushStates(store, a.id, typesOf(a));
      if (read === undefined && a === account) return undefined;
      if (read !== undefined) states.set(a, read);
    }
    return states;
  }

  /** Writes one event and waits for the socket to take it, so nothing piles up behind a slow client. */
  async function writeEvent(name: string, data: unknown): Promise<void> {
    if (isDone) return;
    schedulePing();
    const isFlushed = res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    if (!isFlushed) {
      await new Promise<void>((resolve) => {
        const settle = (): void => {
          res.off("drain", settle);
          res.off("close", settle);
          resolve();
        };
        res.on("drain", settle);
        res.on("close", settle);
      });
    }
  }

  /** RFC 8620 §7.3: a "ping" event whenever the interval passes without any other event. */
  function schedulePing(): void {
    if (request.pingSeconds === 0 || isDone) return;
    if (pingTimer !== null) clearTimeout(pingTimer);
    pingTimer = setTimeout(() => {
      pingTimer = null;
      // A client that has not taken the last event gets no ping on top of it.
      if (res.writableNeedDrain) return schedulePing();
      void writeEvent("ping", { interval: request.pingSeconds });
    }, request.pingSeconds * 1000);
    pingTimer.unref();
  }

  await done;
}
