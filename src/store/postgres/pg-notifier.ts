// ChangeNotifier across nodes with PostgreSQL LISTEN/NOTIFY (ARCHITECTURE.md "How changes reach every
// session"). A write transaction NOTIFYs its events on the schema's channel (delivered only on commit);
// this node's subscribers get them at once after COMMIT, other nodes through one dedicated LISTEN
// connection. The payload is a hint (account, mailbox, modseq); receivers re-read the change log. After
// the connection is re-established, every subscribed account gets a "may have changed" event
// (mailboxId null), so notifications lost in between cost latency, never correctness.
import { createHash, randomBytes } from "node:crypto";
import pg from "pg";
import type { AccountId, MailboxId, ModSeq } from "../../kit/ids.js";
import type { Logger } from "../../kit/logger.js";
import type { ChangeEvent, ChangeNotifier } from "../mail-store.js";
import { InProcessNotifier } from "../notifier/in-process-notifier.js";
import { clientConfig, type PgConnectionOptions } from "./pg-database.js";

/** What travels in a NOTIFY payload: short keys keep it far below PostgreSQL's 8000-byte limit. */
interface Payload {
  /** The publishing node, so a node skips its own events (it delivered them locally already). */
  readonly n: string;
  readonly a: number;
  readonly m: string | null;
  readonly s: number;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5000;
const MAX_CHANNEL_BYTES = 63;

/** The channel of one schema: stores in different schemas of one database must not hear each other. */
function channelFor(schema: string): string {
  const channel = `postfach.${schema}`;
  if (Buffer.byteLength(channel) <= MAX_CHANNEL_BYTES) return channel;
  return `postfach.${createHash("sha256").update(schema).digest("hex").slice(0, 40)}`;
}

export class PgNotifier implements ChangeNotifier {
  readonly nodeId = randomBytes(8).toString("hex");
  readonly #local = new InProcessNotifier();
  readonly #options: PgConnectionOptions;
  readonly #publishVia: (channel: string, payload: string) => Promise<unknown>;
  readonly #log: Logger;
  /** Subscriptions per account, to tell each subscribed account after a reconnect. */
  readonly #subscribed = new Map<AccountId, number>();
  #channel = "";
  #client: pg.Client | undefined;
  #isClosed = false;
  #reconnectDelayMs = RECONNECT_MIN_MS;
  #reconnectTimer: NodeJS.Timeout | undefined;

  /** `publishVia` sends a NOTIFY outside a transaction (for publish() calls that do not come from the store). */
  constructor(
    options: PgConnectionOptions,
    publishVia: (channel: string, payload: string) => Promise<unknown>,
    log: Logger,
  ) {
    this.#options = options;
    this.#publishVia = publishVia;
    this.#log = log;
  }

  get channel(): string {
    return this.#channel;
  }

  /** Connects the LISTEN connection; resolves once it listens, so no event committed afterwards is missed. */
  async start(): Promise<void> {
    this.#attach(await this.#listen());
  }

  async #listen(): Promise<pg.Client> {
    const client = new pg.Client(clientConfig(this.#options));
    await client.connect();
    try {
      const schema = await client.query<{ schema: string }>("SELECT current_schema() AS schema");
      this.#channel = channelFor(schema.rows[0]?.schema ?? "public");
      await client.query(`LISTEN ${pg.escapeIdentifier(this.#channel)}`);
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  }

  #attach(client: pg.Client): void {
    if (this.#isClosed) {
      client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#reconnectDelayMs = RECONNECT_MIN_MS;
    client.on("notification", (message) => {
      if (message.channel === this.#channel && message.payload) this.#receive(message.payload);
    });
    const lost = (error?: Error) => {
      if (this.#client !== client) return;
      this.#client = undefined;
      client.end().catch(() => {});
      if (this.#isClosed) return;
      this.#log.warn({ err: error }, "PostgreSQL LISTEN connection lost; reconnecting");
      this.#scheduleReconnect();
    };
    client.on("error", lost);
    client.on("end", lost);
  }

  #scheduleReconnect(): void {
    if (this.#isClosed) return;
    const delay = this.#reconnectDelayMs;
    this.#reconnectDelayMs = Math.min(delay * 2, RECONNECT_MAX_MS);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#listen().then(
        (client) => {
          this.#attach(client);
          this.#log.info({}, "PostgreSQL LISTEN connection re-established");
          this.#announcePossibleChanges();
        },
        () => this.#scheduleReconnect(),
      );
    }, delay);
    this.#reconnectTimer.unref();
  }

  /** Events may have been missed while not listening: every subscribed account re-reads its changes. */
  #announcePossibleChanges(): void {
    for (const accountId of [...this.#subscribed.keys()]) {
      this.#local.publish({ accountId, mailboxId: null, modSeq: 0 as ModSeq });
    }
  }

  #receive(text: string): void {
    let payload: Payload;
    try {
      payload = JSON.parse(text) as Payload;
    } catch {
      return;
    }
    if (payload.n === this.nodeId || typeof payload.a !== "number") return;
    this.#local.publish({
      accountId: payload.a as AccountId,
      mailboxId: payload.m as MailboxId | null,
      modSeq: payload.s as ModSeq,
    });
  }

  /** The pg_notify arguments for an event of this node (sent inside the write transaction). */
  notification(event: ChangeEvent): readonly [string, string] {
    const payload: Payload = { n: this.nodeId, a: event.accountId, m: event.mailboxId, s: event.modSeq };
    return [this.#channel, JSON.stringify(payload)];
  }

  /** Delivers an event committed by this node to this node's subscribers. */
  deliverLocally(event: ChangeEvent): void {
    this.#local.publish(event);
  }

  publish(event: ChangeEvent): void {
    this.#local.publish(event);
    const [channel, payload] = this.notification(event);
    this.#publishVia(channel, payload).catch(() => {});
  }

  subscribe(accountId: AccountId, listener: (event: ChangeEvent) => void): () => void {
    const unsubscribe = this.#local.subscribe(accountId, listener);
    this.#subscribed.set(accountId, (this.#subscribed.get(accountId) ?? 0) + 1);
    let isActive = true;
    return () => {
      if (!isActive) return;
      isActive = false;
      unsubscribe();
      const left = (this.#subscribed.get(accountId) ?? 1) - 1;
      if (left > 0) this.#subscribed.set(accountId, left);
      else this.#subscribed.delete(accountId);
    };
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }
}
