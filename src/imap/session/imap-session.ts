// One IMAP connection from greeting to BYE (RFC 9051 §3, §7): reads events from the wire reader, runs
// each command through the command table's state gate, announces other sessions' changes at the
// moments §7.5.1 allows, and maps every error to a tagged reply in one place.

import { randomBytes } from "node:crypto";
import { type SaslTransport, saslTransportOf } from "../../auth/authenticator.js";
import { isPlaintextAuthAllowed } from "../../auth/plaintext-policy.js";
import type { SessionLease } from "../../auth/session-registry.js";
import { AsyncQueue } from "../../kit/async-queue.js";
import type { Uid } from "../../kit/ids.js";
import type { Logger } from "../../kit/logger.js";
import { isMailError, type MailErrorCode } from "../../kit/mail-error.js";
import { METRICS } from "../../kit/metrics.js";
import { Utf8Builder } from "../../kit/utf8-builder.js";
import { HELD_MESSAGE_MAX_BYTES } from "../../mail/message-service.js";
import { BurstWriteSize } from "../../net/burst-write-size.js";
import type { Connection } from "../../net/connection.js";
import { isConnectionClosedError } from "../../net/connection-closed-error.js";
import type { AccountRecord } from "../../store/mail-store.js";
import { FETCHED_ONE_NOW, fetch, fetchOneNow } from "../commands/fetch.js";
import { BodyReadAhead } from "../fetch/body-read-ahead.js";
import { MAX_NOTIFY_FETCH_MESSAGES, type NotifyWatch } from "../notify/notify-watch.js";
import type { CommandOf, ImapCommand } from "../wire/command.js";
import type { ImapReaderLimits } from "../wire/limits.js";
import { ImapReader, type ReaderEvent } from "../wire/reader.js";
import type { ImapResponse, ResponseCode } from "../wire/response.js";
import { sequenceSetFromNumbers } from "../wire/seqset.js";
import {
  formatLiteralFreeFetch,
  UnfinishedLiteralError,
  type WriterOptions,
  writeResponse,
} from "../wire/writer.js";
import { capabilities, type Enableable } from "./capabilities.js";
import { type ClientIdentity, type ClientQuirks, quirksFor } from "./client-quirks.js";
import type {
  AppendedBlob,
  CommandContext,
  CommandOutcome,
  ImapServices,
  SessionControl,
} from "./command-context.js";
import { COMMANDS } from "./command-table.js";
import { IMAP_ERROR_REPLIES } from "./error-mapping.js";
import type { SelectedMailbox } from "./selected-mailbox.js";
import type { SessionState } from "./session-state.js";
import { usesMessageNumbers } from "./uid-only.js";

/** Mail error codes that report trouble with the server's storage, logged as errors (docs/reliability.md). */
const STORAGE_TROUBLE: ReadonlySet<MailErrorCode> = new Set(["corrupted", "noSpace", "unavailable"]);

export interface ImapSessionOptions {
  readonly services: ImapServices;
  readonly log: Logger;
  readonly readerLimits: Partial<ImapReaderLimits>;
}

/** What output work that needed no await returns: one settled promise for all of them. */
const RESOLVED: Promise<void> = Promise.resolve();
/** A client that sends this many bad commands in a row is disconnected (abuse limit). */
const MAX_CONSECUTIVE_BAD = 20;
/** Literal bytes one APPEND (MULTIAPPEND, CATENATE) holds in memory at most; the rest stream to the blob store. */
const MAX_HELD_APPEND_BYTES = 1024 * 1024;

/** Each command's latency series, bound once: a FETCH-heavy session observes thousands per second. */
const COMMAND_LATENCY = new Map<string, { observe(seconds: number): void }>();
function commandLatency(name: string): { observe(seconds: number): void } {
  let series = COMMAND_LATENCY.get(name);
  if (!series) {
    series = METRICS.commands.bind({ proto: "imap", command: name });
    COMMAND_LATENCY.set(name, series);
  }
  return series;
}

type EventStream = AsyncGenerator<ReaderEvent, void, undefined>;

export class ImapSession implements SessionControl {
  #state: SessionState = { kind: "notAuthenticated" };
  readonly #enabled = new Set<Enableable>();
  #quirks: ClientQuirks = quirksFor(null);
  #reader: ImapReader;
  readonly #events: EventStream;
  /** Serializes writes: IDLE notifications and command responses never interleave. */
  #output: Promise<void> = RESOLVED;
  /** Output work chained on #output and not yet settled; none: the next work may run at once. */
  #outputsWaiting = 0;
  /** When buffered output is written (growing within a burst of responses). */
  readonly #writeSize = new BurstWriteSize();
  #isClosing = false;
  #consecutiveBad = 0;
  #pending: (string | Uint8Array)[] = [];
  /** Bytes of buffered output (text counted in UTF-16 units: near enough for deciding when to write). */
  #pendingBytes = 0;
  /**
   * The reader's events for the input chunk being handled, taken one at a time by #readEvents, or ahead
   * of it by #answerPipelinedFetches, which puts back in #heldEvent the one it does not answer.
   */
  #fed: Generator<ReaderEvent, void, undefined> | null = null;
  #heldEvent: ReaderEvent | null = null;
  #appendBlobs: Promise<AppendedBlob>[] = [];
  /** Bytes of #appendBlobs held in memory rather than stored (MAX_HELD_APPEND_BYTES). */
  #heldAppendBytes = 0;
  #appendQueue: AsyncQueue<Uint8Array> | null = null;
  #unsubscribe: (() => void) | null = null;
  #wakeIdle: (() => void) | null = null;
  /** A change arrived while IDLE was announcing the previous one: announce again before waiting. */
  #hasWake = false;
  /** RFC 5465 NOTIFY SET in force; null for the sessions that never sent one (nearly all). */
  #notify: NotifyWatch | null = null;
  /** A reader event (a command, a literal) is being handled: notifications wait for its end. */
  #isHandling = false;
  /** NOTIFY responses being pushed between commands, and whether another change came meanwhile. */
  #pushing: Promise<void> | null = null;
  #isPushRequested = false;
  /** The account's session slot while logged in. */
  #lease: SessionLease | null = null;
  readonly bodyReadAhead = new BodyReadAhead();
  readonly #log: Logger;

  constructor(
    private readonly conn: Connection,
    private readonly options: ImapSessionOptions,
  ) {
    this.#reader = new ImapReader(options.readerLimits);
    this.#events = this.#readEvents();
    this.#log = options.log;
  }

  // ---- SessionControl -------------------------------------------------------------------------

  get state(): SessionState {
    return this.#state;
  }

  setState(state: SessionState): void {
    // Logged in: the short pre-login idle timeout gives way to RFC 9051 §5.4's 30 minutes.
    if (this.#state.kind === "notAuthenticated" && state.kind === "authenticated") {
      this.conn.useAuthenticatedIdleTimeout();
    }
    const before = this.#state;
    this.#state = state;
    if (this.#notify !== null) {
      // NOTIFY counts of a mailbox were not kept while it was selected (RFC 5465 §6.1).
      if (before.kind === "selected") this.#notify.rebaseline(before.selected.view.mailboxId);
      if (state.kind === "selected") this.#notify.rebaseline(state.selected.view.mailboxId);
    }
    this.#watchChanges();
  }

  /**
   * The one subscription to the account's change notifications: the selected mailbox's changes mark
   * its view dirty; with NOTIFY, every change of the account is noted for the watch too.
   */
  #watchChanges(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    const state = this.#state;
    const notify = this.#notify;
    if (state.kind !== "selected" && !(state.kind === "authenticated" && notify !== null)) return;
    const selected = state.kind === "selected" ? state.selected : null;
    this.#unsubscribe = this.options.services.store.notifier.subscribe(state.account.id, (event) => {
      const isSelected =
        selected !== null && (event.mailboxId === null || event.mailboxId === selected.view.mailboxId);
      if (isSelected) selected.markDirty();
      if (notify !== null && (notify.watchesOthers || isSelected)) {
        notify.markChanged(event.mailboxId);
        this.#wake();
      } else if (isSelected) this.#wake();
    });
    // A mailbox another account shares (RFC 4314) changes in its owner's account, whoever changes it.
    if (selected !== null && selected.view.accountId !== state.account.id) {
      const own = this.#unsubscribe;
      const shared = this.options.services.store.notifier.subscribe(selected.view.accountId, (event) => {
        if (event.mailboxId === null || event.mailboxId === selected.view.mailboxId) {
          selected.markDirty();
          this.#wake();
        }
      });
      this.#unsubscribe = () => {
        own();
        shared();
      };
    }
    // NOTIFY on folders other accounts share: their owners' changes, ACL changes included, reach the watch.
    if (notify !== null && notify.sharedOwnerIds.size > 0) {
      const before = this.#unsubscribe;
      const owners = [...notify.sharedOwnerIds]
        .filter((ownerId) => ownerId !== state.account.id)
        .map((ownerId) =>
          this.options.services.store.notifier.subscribe(ownerId, (event) => {
            notify.markChanged(event.mailboxId);
            this.#wake();
          }),
        );
      this.#unsubscribe = () => {
        before();
        for (const unsubscribe of owners) unsubscribe();
      };
    }
  }

  /** A change to announce: IDLE announces it now; with NOTIFY it is pushed between commands too. */
  #wake(): void {
    if (this.#wakeIdle !== null) this.#wakeIdle();
    else this.#hasWake = true;
    if (this.#notify !== null) this.#requestPush();
  }

  get notify(): NotifyWatch | null {
    return this.#notify;
  }

  setNotify(watch: NotifyWatch | null): void {
    this.#notify = watch;
    this.#watchChanges();
  }

  kick(): Promise<void> {
    return this.conn.kick();
  }

  signIn(account: AccountRecord, lease: SessionLease): void {
    this.#lease = lease;
    this.setState({ kind: "authenticated", account });
  }

  signOut(): void {
    this.#notify = null;
    this.setState({ kind: "notAuthenticated" });
    this.#lease?.release();
    this.#lease = null;
    this.#enabled.clear();
    this.#reader.setUtf8Accepted(false);
  }

  get enabled(): ReadonlySet<Enableable> {
    return this.#enabled;
  }

  enable(capability: Enableable): void {
    this.#enabled.add(capability);
    if (capability === "UTF8=ACCEPT") this.#reader.setUtf8Accepted(true);
  }

  get isTls(): boolean {
    return this.conn.isTls;
  }

  get closed(): AbortSignal {
    return this.conn.signal;
  }

  get isPlaintextAuthAllowed(): boolean {
    return isPlaintextAuthAllowed(
      this.options.services.plaintextAuth,
      this.conn.isTls,
      this.conn.remoteAddress,
    );
  }

  saslTransport(): SaslTransport {
    return saslTransportOf("imap", this.options.services.plaintextAuth, this.conn);
  }

  capabilities(): string[] {
    const isAuthenticated = this.#state.kind === "authenticated" || this.#state.kind === "selected";
    return capabilities({
      isAuthenticated,
      isTls: this.conn.isTls,
      isPlaintextAuthAllowed: this.isPlaintextAuthAllowed,
      saslMechanisms: isAuthenticated
        ? []
        : this.options.services.authenticator.mechanisms(this.saslTransport()),
      maxMessageBytes: this.options.services.maxMessageBytes,
      messageLimit: this.options.services.messageLimit,
      saveLimit: this.options.services.saveLimit,
    });
  }

  async startTls(): Promise<void> {
    // STARTTLS contract (net/connection.ts): drop our parse buffer, then upgrade with no await between.
    this.#reader = new ImapReader(this.options.readerLimits);
    await this.conn.startTls();
  }

  get quirks(): ClientQuirks {
    return this.#quirks;
  }

  identifyClient(client: ClientIdentity): void {
    this.#quirks = quirksFor(client);
  }

  get isCompressed(): boolean {
    return this.conn.isCompressed;
  }

  startCompression(level: number): void {
    // As for STARTTLS, what the client pipelined after COMPRESS in plaintext is dropped: from the OK on
    // it may only send compressed bytes, which the connection inflates.
    this.#reader = new ImapReader(this.options.readerLimits);
    this.conn.startCompression(level);
  }

  async readContinuation(prompt: string): Promise<string | null> {
    await this.send({ kind: "continuation", text: prompt });
    this.#reader.expectContinuationLine();
    const next = await this.#events.next();
    if (next.done) return null;
    const event = next.value;
    if (event.kind !== "continuationLine") return null;
    return event.line.trim() === "*" ? null : event.line;
  }

  async idle(onEnter: () => Promise<void>): Promise<void> {
    this.#reader.expectIdleDone();
    await this.send({ kind: "continuation", text: "idling" });
    this.#hasWake = false;
    await onEnter();
    // NOTIFY's other mailboxes: what changed before IDLE began is announced at once too.
    if (this.#notify !== null) await this.#announceNotify();
    await this.#flushOutput();
    // Pull events until DONE; meanwhile notifications wake `announce` below.
    const done = (async () => {
      for (;;) {
        const next = await this.#events.next();
        if (next.done) return;
        if (next.value.kind === "idleDone") return;
        if (next.value.kind === "fatal") return;
        await this.send({ kind: "condition", status: "BAD", code: null, text: "Expected DONE" });
      }
    })();
    let isDone = false;
    void done.then(() => {
      isDone = true;
      this.#wakeIdle?.();
    });
    while (!isDone && !this.#isClosing) {
      if (!this.#hasWake) {
        await new Promise<void>((resolve) => {
          this.#wakeIdle = resolve;
        });
        this.#wakeIdle = null;
      }
      this.#hasWake = false;
      if (!isDone) {
        try {
          await this.#announceUpdates(true, false, "idle");
        } catch (error) {
          // The store failed (the database went away, say) while the client waits in IDLE: no tagged
          // reply can go out before DONE, and idling on would leave the client seeing nothing, so end
          // the session with a clean BYE; the client reconnects and resynchronizes.
          this.#log.warn({ err: error }, "imap IDLE update failed; ending the session");
          await this.#bye("Temporary server failure, please reconnect");
        }
        await this.#flushOutput();
      }
    }
    if (this.#isClosing && !isDone) {
      // A BYE went out while idling (mailbox gone, access revoked): no DONE will come, so end the
      // connection, which also ends the read of it.
      await this.#flushOutput();
      void this.conn.close();
    }
    await done;
  }

  pipelinedCommands(max: number): readonly ImapCommand[] {
    return this.#reader.peekCommands(max);
  }

  async takeAppendedBlobs(): Promise<readonly AppendedBlob[]> {
    const pending = this.#appendBlobs;
    this.#appendBlobs = [];
    this.#heldAppendBytes = 0;
    return Promise.all(pending);
  }

  // ---- output ---------------------------------------------------------------------------------

  /**
   * Writes a response. Responses collect in an output buffer that goes out in large writes: when it is
   * full, when the commands of one input chunk have all been answered (see #readEvents: the tagged
   * replies of pipelined commands go out together, as Dovecot corks its output), before STARTTLS and at
   * the end. A continuation or status condition goes out at once (the client may be waiting on it).
   */
  send(response: ImapResponse): Promise<void> {
    return this.#enqueueOutput(() => {
      const writing = writeResponse(response, this.#bufferChunk, this.#writerOptions());
      if (response.kind !== "continuation" && response.kind !== "condition") return writing;
      return writing ? writing.then(() => this.#flush()) : this.#flush();
    });
  }

  /** Writes data responses in order as one piece of work (a FETCH batch of a whole mailbox). */
  sendAll(responses: readonly ImapResponse[]): Promise<void> {
    const options = this.#writerOptions();
    return this.#enqueueOutput(() => this.#bufferResponses(responses, 0, options));
  }

  /** Buffers responses[from…]: at once while nothing needs an await, then the rest after it. */
  #bufferResponses(
    responses: readonly ImapResponse[],
    from: number,
    options: WriterOptions,
  ): Promise<void> | undefined {
    for (let i = from; i < responses.length; i++) {
      const response = responses[i] as ImapResponse;
      const text =
        response.kind === "fetch" ? formatLiteralFreeFetch(response.sequence, response.items, options) : null;
      const writing =
        text === null ? writeResponse(response, this.#bufferChunk, options) : this.#buffer(text);
      if (writing) return writing.then(() => this.#bufferResponses(responses, i + 1, options));
    }
    return undefined;
  }

  /**
   * Runs output work after the output work before it. With none waiting, it runs at once and costs no
   * promise when it needs no await (most replies: a pipelined download's thousands of FETCHes and tagged
   * OKs), which the promise chain alone would spend on every response.
   */
  #enqueueOutput(work: () => Promise<void> | undefined): Promise<void> {
    if (this.#outputsWaiting === 0) {
      let writing: Promise<void> | undefined;
      try {
        writing = work();
      } catch (error) {
        return Promise.reject(error);
      }
      return writing === undefined ? RESOLVED : this.#chainOutput(writing);
    }
    return this.#chainOutput(this.#output.then(work));
  }

  #chainOutput(write: Promise<void>): Promise<void> {
    this.#outputsWaiting++;
    const settled = (): void => {
      this.#outputsWaiting--;
    };
    this.#output = write.then(settled, settled);
    return write;
  }

  /** How responses are written: UTF-8 names after UTF8=ACCEPT, UIDFETCH after UIDONLY. */
  #writerOptions(): WriterOptions {
    return { isUtf8Accepted: this.#enabled.has("UTF8=ACCEPT"), isUidOnly: this.#enabled.has("UIDONLY") };
  }

  /** Writes encoded response lines in order with the other output. */
  sendEncoded(bytes: Uint8Array): Promise<void> {
    return this.#enqueueOutput(() => this.#buffer(bytes));
  }

  /** #buffer as the sink writeResponse writes into (one function for the session, not one per response). */
  readonly #bufferChunk = (chunk: string | Uint8Array): Promise<void> | undefined => this.#buffer(chunk);

  /**
   * Queues output; returns the write's promise only when the buffer was full enough to go out. Text is
   * kept as strings and encoded once per write, not once per response.
   */
  #buffer(chunk: string | Uint8Array): Promise<void> | undefined {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    return this.#writeSize.isReached(this.#pendingBytes) ? this.#flush() : undefined;
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const chunks = outputChunks(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#writeSize.grow();
    await this.conn.writeChunks(chunks);
  }

  /**
   * Gives the body read-ahead's reused buffers back to the pool where none of their bytes can still be
   * read: called between commands, and only with no output queued, none being written and nothing
   * unsent on the connection (the buffer kept bodies are in stays: BodyReadAhead.releaseBuffers).
   */
  #releaseBodyBuffers(): void {
    if (this.#pendingBytes === 0 && this.#outputsWaiting === 0 && this.conn.isAllSent) {
      this.bodyReadAhead.releaseBuffers();
    }
  }

  /** Sends what is buffered (IDLE announcements have no tagged reply to carry them out). */
  #flushOutput(): Promise<void> {
    return this.#enqueueOutput(() => {
      const writing = this.#pendingBytes === 0 ? undefined : this.#flush();
      // The session waits for the client next.
      this.#writeSize.reset();
      return writing;
    });
  }

  // ---- the connection loop --------------------------------------------------------------------

  async run(): Promise<void> {
    this.conn.onShutdown(() => this.#bye("Server shutting down"));
    this.conn.onIdleTimeout(() => this.#bye("Autologout; idle for too long"));
    this.conn.onKick(() => this.#bye("Disconnected by the administrator"));
    try {
      await this.send({
        kind: "condition",
        status: "OK",
        code: { kind: "CAPABILITY", capabilities: this.capabilities() },
        text: "Postfach ready.",
      });
      for await (const event of this.#events) {
        this.#isHandling = true;
        if (this.#pushing !== null) await this.#pushing;
        await this.#handle(event);
        this.#isHandling = false;
        this.#releaseBodyBuffers();
        if (this.#isClosing) break;
        if (this.#isPushRequested) this.#requestPush();
      }
    } catch (error) {
      // A client hanging up while we write is how connections end, not an error worth a warning.
      if (!this.conn.signal.aborted && !isConnectionClosedError(error)) {
        this.#log.warn({ err: error }, "imap session ended with an error");
      }
    } finally {
      await this.#flushOutput().catch(() => {});
      this.#unsubscribe?.();
      this.#appendQueue?.fail(new Error("connection closed"));
      this.#wakeIdle?.();
      this.conn.close();
    }
  }

  async *#readEvents(): EventStream {
    for await (const chunk of this.conn.chunks()) {
      const reader = this.#reader;
      const fed = reader.feed(chunk);
      this.#fed = fed;
      try {
        for (let event = this.#nextFedEvent(); event !== null; event = this.#nextFedEvent()) {
          yield event;
          // STARTTLS or COMPRESS replaced the reader: what the client pipelined in plaintext is dropped.
          if (this.#reader !== reader || this.#isClosing) break;
        }
      } finally {
        this.#fed = null;
        this.#heldEvent = null;
        fed.return();
      }
      // Bodies are read ahead only for the commands of the chunk being handled.
      this.bodyReadAhead.clear();
      if (this.#isClosing) return;
      // Every command of this chunk has been handled: their replies go out in one write.
      await this.#flushOutput();
      this.#releaseBodyBuffers();
    }
  }

  /** The next event of the input chunk being handled: the one put back first, if any; null at its end. */
  #nextFedEvent(): ReaderEvent | null {
    const held = this.#heldEvent;
    if (held !== null) {
      this.#heldEvent = null;
      return held;
    }
    const next = this.#fed?.next();
    return next === undefined || next.done === true ? null : next.value;
  }

  async #handle(event: ReaderEvent): Promise<void> {
    switch (event.kind) {
      case "command":
        return this.#runCommand(event.command);
      case "syntaxError":
        await this.#appendAborted();
        return this.#countBad(event.tag, event.text);
      case "needLiteral":
        return this.#acceptLiteral(event);
      case "literalChunk":
        // The bytes are a view into the reader's buffer: copy before the next feed.
        await this.#appendQueue?.push(Buffer.from(event.bytes));
        return;
      case "literalEnd":
        this.#appendQueue?.end();
        this.#appendQueue = null;
        return;
      case "literalTooLarge": {
        await this.#appendAborted();
        // RFC 5464 §4.3: a value too large for SETMETADATA is refused with the largest size accepted.
        // ([imap] metadata_max_entry_bytes is at most the reader's largest literal, 64 KiB.)
        const maxEntryBytes = this.options.services.metadata.settings.maxEntryBytes;
        const outcome: CommandOutcome =
          event.command === "SETMETADATA"
            ? {
                status: "NO",
                code: { kind: "METADATA MAXSIZE", value: maxEntryBytes },
                text: "Annotation value too large",
              }
            : { status: "NO", code: { kind: "TOOBIG" }, text: "Literal too large" };
        return this.#tagged(event.tag, outcome);
      }
      case "continuationLine":
      case "idleDone":
        return this.#countBad(null, "Unexpected continuation");
      case "fatal":
        await this.#bye(event.reason === "lineTooLong" ? "Line too long" : "Command too large");
        return;
    }
  }

  async #acceptLiteral(event: Extract<ReaderEvent, { kind: "needLiteral" }>): Promise<void> {
    if (event.append === null) {
      if (event.sync) await this.send({ kind: "continuation", text: "Ready for literal data" });
      return;
    }
    const isAllowed = this.#state.kind === "authenticated" || this.#state.kind === "selected";
    if (!isAllowed || event.size > this.options.services.maxMessageBytes) {
      this.#reader.rejectLiteral();
      await this.#appendAborted();
      const outcome: CommandOutcome = isAllowed
        ? { status: "NO", code: { kind: "TOOBIG" }, text: "Message too large" }
        : { status: "BAD", code: null, text: "APPEND is not allowed before login" };
      return this.#tagged(event.tag, outcome);
    }
    const queue = new AsyncQueue<Uint8Array>(8);
    this.#appendQueue = queue;
    // A small message waits in memory for its APPEND, which stores it with the entry (one commit); a
    // larger one streams to the blob store as it arrives.
    const { messages } = this.options.services;
    const isHeld =
      event.size <= HELD_MESSAGE_MAX_BYTES && this.#heldAppendBytes + event.size <= MAX_HELD_APPEND_BYTES;
    if (isHeld) this.#heldAppendBytes += event.size;
    const stored = isHeld ? messages.holdBlob(queue) : messages.storeBlob(queue);
    // Observed now so a failure (e.g. tooBig) is not an unhandled rejection before APPEND runs.
    stored.catch(() => {});
    this.#appendBlobs.push(stored);
    if (event.sync) await this.send({ kind: "continuation", text: "Ready for literal data" });
  }

  /** An APPEND that will not run: what was stored of it becomes garbage for the blob collector. */
  async #appendAborted(): Promise<void> {
    this.#appendQueue?.fail(new Error("APPEND aborted"));
    this.#appendQueue = null;
    const pending = this.#appendBlobs;
    this.#appendBlobs = [];
    this.#heldAppendBytes = 0;
    await Promise.allSettled(pending);
  }

  async #runCommand(command: ImapCommand): Promise<void> {
    const pause = this.conn.paceCommand();
    if (pause !== null) await pause;
    const spec = COMMANDS[command.name];
    if (!spec.states.includes(this.#state.kind)) {
      await this.#appendAborted();
      const text =
        this.#state.kind === "notAuthenticated" ? "Log in first" : "Command not allowed in this state";
      return this.#countBad(command.tag, text);
    }
    if (this.#enabled.has("UIDONLY") && usesMessageNumbers(command)) {
      await this.#appendAborted();
      return this.#countBad(command.tag, "Message numbers are not allowed after ENABLE UIDONLY", {
        kind: "UIDREQUIRED",
      });
    }
    const ctx = this.#commandContext();
    const startedMs = performance.now();
    let outcome: CommandOutcome;
    try {
      // A download's FETCH of one message at hand is answered without fetch()'s awaits.
      const fetchedNow = command.name === "fetch" ? fetchOneNow(ctx, command) : null;
      if (fetchedNow !== null) {
        await this.sendAll([fetchedNow]);
        outcome = FETCHED_ONE_NOW;
      } else {
        // The table is keyed by name, so the spec and the command variant always agree.
        outcome = await (spec.run as (ctx: CommandContext, command: ImapCommand) => Promise<CommandOutcome>)(
          ctx,
          command,
        );
      }
    } catch (error) {
      await this.#appendAborted();
      if (error instanceof UnfinishedLiteralError) return this.#abandonResponse(error, command);
      outcome = this.#outcomeOf(error, command);
    }
    await this.#completeCommand(command, outcome, startedMs);
    if (outcome === FETCHED_ONE_NOW) await this.#answerPipelinedFetches(ctx);
  }

  /** What follows a command's run: its latency, the updates to announce before its tagged reply, the reply. */
  async #completeCommand(command: ImapCommand, ran: CommandOutcome, startedMs: number): Promise<void> {
    let outcome = ran;
    const spec = COMMANDS[command.name];
    // IDLE's time is the client's wait, not work: it would swamp the latency histogram.
    if (command.name !== "idle") {
      commandLatency(command.name).observe((performance.now() - startedMs) / 1000);
    }
    if (this.#isClosing) return;
    const isAnnouncing =
      (this.#state.kind === "selected" && this.#state.selected.mayHaveUpdates) || this.#notify !== null;
    if (isAnnouncing && outcome.status !== "BAD") {
      const canExpunge = (spec.canAnnounceExpunge as (command: ImapCommand) => boolean)(command);
      await this.#announceUpdates(canExpunge, false, "command").catch((error: unknown) => {
        outcome = this.#outcomeOf(error, command);
      });
    }
    if (outcome.status === "BAD") return this.#countBad(command.tag, outcome.text, outcome.code ?? null);
    if (outcome.sentMessageContent === true) this.conn.refundCommand();
    this.#consecutiveBad = 0;
    await this.#tagged(command.tag, outcome);
    if (outcome.afterReply !== undefined) {
      await this.#flushOutput();
      await outcome.afterReply();
    }
    if (this.#state.kind === "logout") this.#isClosing = true;
  }

  /**
   * After a FETCH answered at once, the FETCHes pipelined behind it in the same input chunk (a download's
   * `UID FETCH n (BODY.PEEK[])`, thousands in a row) are answered in the same pass, each exactly as
   * #runCommand answers it through fetchOneNow, but without a trip through the event stream and
   * #runCommand's awaits per command. Stops, putting the event back for #runCommand, at the first that
   * is anything else or that #runCommand would handle differently: a command to pace, a FETCH
   * fetchOneNow leaves to fetch(), changes of other sessions to announce first, NOTIFY in force.
   */
  async #answerPipelinedFetches(ctx: CommandContext): Promise<void> {
    for (;;) {
      const state = this.#state;
      if (this.#isClosing || this.#notify !== null) return;
      if (state.kind !== "selected" || state.selected.mayHaveUpdates) return;
      const event = this.#nextFedEvent();
      if (event === null) return;
      const answered =
        event.kind === "command" &&
        event.command.name === "fetch" &&
        this.#answerFetchNow(ctx, event.command);
      if (answered === false) {
        this.#heldEvent = event;
        return;
      }
      // Output went to the socket and waits for it to drain: as #runCommand would, before the next.
      if (answered !== RESOLVED) await answered;
    }
  }

  /**
   * One FETCH answered through fetchOneNow as #runCommand answers it (pacing, UIDONLY, the latency
   * metric, the tagged reply): the output's promise, or false having done nothing.
   */
  #answerFetchNow(ctx: CommandContext, command: CommandOf<"fetch">): Promise<void> | false {
    if (!this.conn.canRunCommandNow()) return false;
    if (this.#enabled.has("UIDONLY") && usesMessageNumbers(command)) return false;
    const startedMs = performance.now();
    let response: ImapResponse | null;
    try {
      response = fetchOneNow(ctx, command);
    } catch {
      return false; // #runCommand runs it again and answers the error
    }
    if (response === null) return false;
    // Within the budget (checked above), so no pause.
    this.conn.paceCommand();
    const sending = this.sendAll([response]);
    if (sending !== RESOLVED) {
      // The output went to the socket: the rest is #runCommand's, once it is written.
      return sending.then(
        () => this.#completeCommand(command, FETCHED_ONE_NOW, startedMs),
        (error: unknown) => this.#completeCommand(command, this.#outcomeOf(error, command), startedMs),
      );
    }
    // #completeCommand's steps for this outcome, nothing having been awaited since the loop found no
    // updates to announce: the latency, the refund of a command that sent content, the tagged reply.
    commandLatency("fetch").observe((performance.now() - startedMs) / 1000);
    this.conn.refundCommand();
    this.#consecutiveBad = 0;
    return this.#tagged(command.tag, FETCHED_ONE_NOW);
  }

  #commandContext(): CommandContext {
    return {
      services: this.options.services,
      session: this,
      log: this.#log,
      send: (response) => this.send(response),
      sendAll: (responses) => this.sendAll(responses),
      sendEncoded: (bytes) => this.sendEncoded(bytes),
    };
  }

  /**
   * A literal that failed half-sent (a large message found damaged while streaming it; the store holds
   * its last chunk back, so the client never has all of it) cannot be followed by any reply: the client
   * would read the reply as literal bytes. The connection is closed instead (docs/reliability.md).
   */
  #abandonResponse(error: UnfinishedLiteralError, command: ImapCommand): void {
    this.#log.error({ err: error, command: command.name }, "imap response cut short; closing the connection");
    this.#isClosing = true;
  }

  #outcomeOf(error: unknown, command: ImapCommand): CommandOutcome {
    if (isMailError(error)) {
      // The operator must hear of damaged content, a full disk or a lost database, not only the client.
      if (STORAGE_TROUBLE.has(error.code)) {
        this.#log.error({ err: error, command: command.name }, "imap command failed: storage trouble");
      }
      const reply = IMAP_ERROR_REPLIES[error.code];
      return { status: reply.status, code: reply.code ? { kind: reply.code } : null, text: error.publicText };
    }
    const id = randomBytes(6).toString("hex");
    this.#log.error({ err: error, errorId: id, command: command.name }, "imap command failed");
    return { status: "NO", code: { kind: "SERVERBUG" }, text: `Internal error (id ${id})` };
  }

  /**
   * Sends the untagged responses for others' changes: to the selected mailbox, and with NOTIFY to the
   * other watched mailboxes. After a command and during IDLE as RFC 9051 §7.5.1 allows; with NOTIFY
   * also between commands ("push"), where the selected mailbox is announced only if NOTIFY asked for
   * it, and its expunges only with `selected` (RFC 5465 §5.3, §6.1).
   */
  async #announceUpdates(
    canExpunge: boolean,
    force: boolean,
    moment: "command" | "idle" | "push",
  ): Promise<void> {
    const state = this.#state;
    const notify = this.#notify;
    // RFC 5465 §4: in IDLE, exactly the events NOTIFY asked for.
    const isSelectedWatched = notify === null || notify.selected !== null || moment === "command";
    if (state.kind === "selected" && isSelectedWatched) {
      const mayExpunge = moment === "push" ? (notify?.selected?.isImmediateExpunge ?? false) : canExpunge;
      await this.#announceSelected(state.selected, mayExpunge, force);
    }
    if (notify !== null && this.#notify === notify) await this.#announceNotify();
  }

  /** The selected mailbox's changes, and with NOTIFY's `MessageNew (fetch-att…)` a FETCH of each new message. */
  async #announceSelected(selected: SelectedMailbox, canExpunge: boolean, force: boolean): Promise<void> {
    let responses: ImapResponse[];
    const added: Uid[] = [];
    try {
      responses = await selected.collectUpdates(canExpunge, force, (uids) => added.push(...uids));
    } catch (error) {
      // The selected mailbox was deleted (or recreated) elsewhere: its sequence numbers mean nothing
      // any more, and there is no way to tell the client but to end the session (as Dovecot does).
      if (isMailError(error) && error.code === "nonexistent") {
        await this.#bye("Selected mailbox was deleted, have to disconnect");
        return;
      }
      // RFC 4314 §5.1.1: a user who lost the read right on the selected mailbox may be sent BYE.
      if (isMailError(error) && error.code === "noPerm") {
        await this.#bye("Access to the selected mailbox was revoked, have to disconnect");
        return;
      }
      throw error;
    }
    for (const response of responses) await this.send(response);
    const fetchItems = this.#notify?.selected?.fetch ?? null;
    if (fetchItems === null || added.length === 0) return;
    if (added.length > MAX_NOTIFY_FETCH_MESSAGES) return this.#overflowNotify();
    // The new messages as a UID FETCH of the items MessageNew named (RFC 5465 §5.2), through FETCH itself.
    await fetch(this.#commandContext(), {
      tag: "*",
      name: "fetch",
      uid: true,
      set: sequenceSetFromNumbers(added),
      items: fetchItems,
      changedSince: null,
      vanished: false,
      partial: null,
    });
  }

  /** NOTIFY's responses for the watched mailboxes other than the selected one. */
  async #announceNotify(): Promise<void> {
    const notify = this.#notify;
    const state = this.#state;
    if (notify === null || (state.kind !== "authenticated" && state.kind !== "selected")) return;
    if (notify.isOverflowed) return this.#overflowNotify();
    const selectedId = state.kind === "selected" ? state.selected.view.mailboxId : null;
    const ownersBefore = notify.sharedOwnerIds.size;
    const responses = await notify.collect(selectedId, this.#enabled.has("CONDSTORE"));
    // A folder of an owner not followed before is now watched: follow that owner's changes too.
    if (notify.sharedOwnerIds.size !== ownersBefore && this.#notify === notify) this.#watchChanges();
    for (const response of responses) await this.send(response);
  }

  /** RFC 5465 §5.8: too much to announce; the client is told and NOTIFY is off as after NOTIFY NONE. */
  async #overflowNotify(): Promise<void> {
    this.setNotify(null);
    await this.send({
      kind: "condition",
      status: "OK",
      code: { kind: "NOTIFICATIONOVERFLOW" },
      text: "Too many notifications; NOTIFY is off",
    });
  }

  /**
   * Pushes NOTIFY's responses while no command is in progress (RFC 5465 §1: the client listens all the
   * time). Only at a point where the client has sent no partial command; changes that come during a
   * command are announced when it completes.
   */
  #requestPush(): void {
    this.#isPushRequested = true;
    if (this.#pushing !== null || this.#isHandling || this.#isClosing || !this.#reader.isIdle()) return;
    if (this.#notify === null) {
      this.#isPushRequested = false;
      return;
    }
    this.#pushing = (async () => {
      while (this.#isPushRequested && this.#notify !== null && !this.#isClosing) {
        this.#isPushRequested = false;
        await this.#announceUpdates(false, false, "push");
        await this.#flushOutput();
      }
    })()
      .catch((error: unknown) => {
        if (!isConnectionClosedError(error)) this.#log.warn({ err: error }, "imap notification failed");
      })
      .finally(() => {
        this.#pushing = null;
      });
  }

  async #countBad(tag: string | null, text: string, code: ResponseCode | null = null): Promise<void> {
    this.#consecutiveBad++;
    if (tag === null) await this.send({ kind: "condition", status: "BAD", code, text });
    else await this.send({ kind: "tagged", tag, status: "BAD", code, text });
    if (this.#consecutiveBad >= MAX_CONSECUTIVE_BAD) await this.#bye("Too many invalid commands");
  }

  #tagged(tag: string | null, outcome: CommandOutcome): Promise<void> {
    const code = outcome.code ?? null;
    return this.send(
      tag === null
        ? { kind: "condition", status: outcome.status, code, text: outcome.text }
        : { kind: "tagged", tag, status: outcome.status, code, text: outcome.text },
    );
  }

  async #bye(text: string): Promise<void> {
    if (this.#isClosing) return;
    this.#isClosing = true;
    this.#wakeIdle?.();
    await this.send({ kind: "condition", status: "BYE", code: null, text }).catch(() => {});
  }
}

/**
 * Queued output as the pieces of one write: consecutive text encoded together into one buffer (piece by
 * piece, see kit/utf8-builder.ts), byte pieces (literal bodies) passed on uncopied for the connection's
 * writev.
 */
function outputChunks(chunks: readonly (string | Uint8Array)[]): Uint8Array[] {
  let textLength = 0;
  for (const chunk of chunks) if (typeof chunk === "string") textLength += chunk.length;
  // Sized for ASCII, which most output is; the builder grows for the rest.
  const text = new Utf8Builder(textLength + 64);
  const buffers: Uint8Array[] = [];
  for (const chunk of chunks) {
    if (typeof chunk === "string") {
      text.append(chunk);
      continue;
    }
    if (text.byteLength > 0) buffers.push(text.take());
    buffers.push(chunk);
  }
  if (text.byteLength > 0) buffers.push(text.take());
  return buffers;
}
