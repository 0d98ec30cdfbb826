// One client connection as protocol handlers see it: reading, writing with backpressure, STARTTLS upgrade
// in place (RFC 3207 §4.2, RFC 2595 §3.1) with SNI (RFC 6066 §3), DEFLATE compression (RFC 4978), idle
// timeouts, slow-reader limits, graceful-shutdown hooks, and an AbortSignal.
import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import type { Readable } from "node:stream";
import { TLSSocket } from "node:tls";
import type { Logger } from "../kit/logger.js";
import { METRICS } from "../kit/metrics.js";
import { CommandRate } from "./command-rate.js";
import { type CloseReason, ConnectionClosedError } from "./connection-closed-error.js";
import { DeflateCompression } from "./deflate-compression.js";
import type { TlsContextSet } from "./tls-contexts.js";

export type ConnectionHook = () => Promise<void> | void;

export interface ConnectionOptions {
  readonly proto: string;
  readonly socket: Socket;
  readonly log: Logger;
  /** Needed for STARTTLS and implicit TLS; without it `startTls` throws. Read at each handshake. */
  readonly tls?: TlsContextSet;
  /** The real client when a PROXY protocol header named it; defaults to the socket's peer. */
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  /** Before login; 0 disables; protocols may change it later with setIdleTimeout. */
  readonly idleTimeoutMs?: number;
  /** What `useAuthenticatedIdleTimeout` switches to; defaults to `idleTimeoutMs`. */
  readonly authenticatedIdleTimeoutMs?: number;
  readonly handshakeTimeoutMs?: number;
  /** A write finding more than this already unsent drops the client; 0 disables. */
  readonly maxUnsentBytes?: number;
  /** A write waiting this long for the client to read drops it; 0 disables. */
  readonly sendTimeoutMs?: number;
  /** Commands per second a client may send on average (bursts up to as many); 0 disables. */
  readonly maxCommandsPerSecond?: number;
}

const PROCESS_PREFIX = randomBytes(2).toString("hex");
let connectionCounter = 0;
const HOOK_TIMEOUT_MS = 2000;
const CLOSE_TIMEOUT_MS = 5000;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 30_000;

/**
 * A client connection. Contract for protocol handlers:
 * - read with `for await (const chunk of conn.chunks())`; it ends at EOF, on close and once `signal` aborts,
 *   and leaving the loop early does not close the socket;
 * - write with `await conn.write(bytes)`, which waits for 'drain' so nothing buffers without bound;
 * - register `onShutdown` / `onIdleTimeout` hooks to send `* BYE` or `421` before the socket closes;
 * - return from the handler when done: the listener then closes the connection.
 *
 * STARTTLS contract (the command-injection attack, CVE-2011-0411): after the protocol has read the
 * STARTTLS command line, it must throw away every byte it already holds beyond that line (its own parse
 * buffer) and must not parse them later; it writes its "go ahead" reply, awaits that write, and calls
 * `startTls()` straight away with no other await in between. `startTls` then discards whatever plaintext
 * the socket itself has buffered, performs the handshake and swaps `socket`; only bytes decrypted from TLS
 * reach `chunks()` afterwards. A client may not send anything between STARTTLS and the ClientHello, so
 * every discarded byte was either an attack or a broken client; discards are logged.
 */
export class Connection {
  /** Short id for logs, unique within the process. */
  readonly id: string;
  readonly proto: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
  /** Child logger with { conn, proto }. */
  readonly log: Logger;
  #socket: Socket;
  /** Set once `startCompression` ran: every byte in and out goes through it, above TLS. */
  #compression: DeflateCompression | null = null;
  readonly #tls: TlsContextSet | undefined;
  readonly #handshakeTimeoutMs: number;
  readonly #authenticatedIdleTimeoutMs: number;
  readonly #maxUnsentBytes: number;
  readonly #sendTimeoutMs: number;
  readonly #controller = new AbortController();
  readonly #shutdownHooks: ConnectionHook[] = [];
  readonly #idleHooks: ConnectionHook[] = [];
  readonly #kickHooks: ConnectionHook[] = [];
  readonly #wakeReaders = new Set<() => void>();
  #idleTimeoutMs: number;
  #isClosed = false;
  #isEnding = false;
  /** A chunk is with the protocol, which has not asked for the next: it is busy, not waiting for input. */
  #isProcessing = false;
  readonly #closed: Promise<void>;
  #resolveClosed: () => void = () => {};

  readonly #commandRate: CommandRate;
  readonly #bytesReceived: { inc(by?: number): void };
  readonly #bytesSent: { inc(by?: number): void };

  constructor(options: ConnectionOptions) {
    this.#commandRate = new CommandRate(options.maxCommandsPerSecond ?? 0);
    this.id = `${PROCESS_PREFIX}${(++connectionCounter).toString(36)}`;
    this.proto = options.proto;
    this.#bytesReceived = METRICS.bytesReceived.bind({ proto: this.proto });
    this.#bytesSent = METRICS.bytesSent.bind({ proto: this.proto });
    METRICS.connectionsTotal.inc({ proto: this.proto });
    METRICS.connectionsOpen.add({ proto: this.proto }, 1);
    this.#socket = options.socket;
    this.remoteAddress = normaliseIp(options.remoteAddress ?? options.socket.remoteAddress ?? "");
    this.remotePort = options.remotePort ?? options.socket.remotePort ?? 0;
    this.localPort = options.socket.localPort ?? 0;
    this.log = options.log.child({ conn: this.id, proto: this.proto });
    this.#tls = options.tls;
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 0;
    this.#authenticatedIdleTimeoutMs = options.authenticatedIdleTimeoutMs ?? this.#idleTimeoutMs;
    this.#maxUnsentBytes = options.maxUnsentBytes ?? 0;
    this.#sendTimeoutMs = options.sendTimeoutMs ?? 0;
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#attach(options.socket);
    options.socket.setTimeout(this.#idleTimeoutMs);
    if (options.socket.destroyed) this.#markClosed();
  }

  /** The current socket: a TLSSocket after `startTls` or on implicit-TLS listeners. */
  get socket(): Socket | TLSSocket {
    return this.#socket;
  }

  get isTls(): boolean {
    return this.#socket instanceof TLSSocket;
  }

  get isCompressed(): boolean {
    return this.#compression !== null;
  }

  /** Aborted (reason: ConnectionClosedError) when the socket closes, idles out, or the server shuts down. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Resolves once the socket has fully closed. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /** Received bytes, in order; see the class contract. Bounded: the socket stops reading when unconsumed. */
  async *chunks(): AsyncGenerator<Buffer, void, undefined> {
    while (!this.signal.aborted) {
      const source: Readable = this.#compression?.output ?? this.#socket;
      const chunk = source.read() as Buffer | null;
      if (chunk !== null) {
        this.#bytesReceived.inc(chunk.length);
        // Until the protocol asks for more it is working on what it got (see #idleOut).
        this.#isProcessing = true;
        try {
          yield chunk;
        } finally {
          this.#isProcessing = false;
        }
        continue;
      }
      if (source.readableEnded || source.destroyed) return;
      await this.#waitReadable(source);
    }
  }

  /**
   * Writes and waits for 'drain' when the socket's buffer is full; throws ConnectionClosedError when
   * closed. Slow-read protection for every protocol: a client that lets more than `maxUnsentBytes` pile
   * up unsent, or keeps one write waiting `sendTimeoutMs` without reading, is dropped at once.
   */
  async write(data: Uint8Array | string): Promise<void> {
    const bytes = this.#compression === null ? data : await this.#compress(this.#compression, data);
    const socket = this.#socket;
    this.#checkWritable();
    this.#bytesSent.inc(typeof bytes === "string" ? Buffer.byteLength(bytes) : bytes.byteLength);
    if (socket.write(bytes)) return;
    await this.#drained();
  }

  /**
   * Writes several pieces as `write` does one, in a single system call (writev) instead of copying them
   * into one buffer first: message bodies go from the blob read to the socket as they are.
   */
  async writeChunks(chunks: readonly Uint8Array[]): Promise<void> {
    if (chunks.length === 1 || this.#compression !== null) {
      return this.write(chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks));
    }
    if (chunks.length === 0) return;
    const socket = this.#socket;
    this.#checkWritable();
    socket.cork();
    let hasRoom = true;
    for (const chunk of chunks) {
      this.#bytesSent.inc(chunk.byteLength);
      hasRoom = socket.write(chunk);
    }
    socket.uncork();
    if (!hasRoom) await this.#drained();
  }

  /**
   * True when every byte written so far has left the process: none waits in the compressor, in TLS or
   * in the socket's queue. A caller that reuses memory it wrote from (kit/reused-buffers.ts) may then
   * overwrite it.
   */
  get isAllSent(): boolean {
    return this.#socket.writableLength === 0 && !(this.#compression?.isCompressing ?? false);
  }

  #checkWritable(): void {
    const socket = this.#socket;
    if (socket.destroyed || !socket.writable) throw new ConnectionClosedError(this.#closeReason());
    if (this.#maxUnsentBytes > 0 && socket.writableLength > this.#maxUnsentBytes) {
      this.#dropSlowReader({ unsentBytes: socket.writableLength });
      throw new ConnectionClosedError("slowReader");
    }
  }

  /** Resolves at the socket's next 'drain'; see `write` for the slow-reader and close handling. */
  #drained(): Promise<void> {
    const socket = this.#socket;
    return new Promise<void>((resolve, reject) => {
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        socket.off("drain", onDrain);
        socket.off("close", onClose);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onDrain = (): void => settle();
      const onClose = (): void => settle(new ConnectionClosedError(this.#closeReason()));
      const timer =
        this.#sendTimeoutMs > 0
          ? setTimeout(() => {
              this.#dropSlowReader({
                unsentBytes: socket.writableLength,
                sendTimeoutMs: this.#sendTimeoutMs,
              });
              settle(new ConnectionClosedError("slowReader"));
            }, this.#sendTimeoutMs)
          : undefined;
      socket.on("drain", onDrain);
      socket.on("close", onClose);
    });
  }

  /** Upgrades a plain connection to TLS in place (STARTTLS); see the class contract. */
  async startTls(): Promise<void> {
    if (this.isTls) throw new Error("connection is already using TLS");
    const plain = this.#socket;
    let discardedBytes = 0;
    for (let chunk = plain.read() as Buffer | null; chunk !== null; chunk = plain.read() as Buffer | null) {
      discardedBytes += chunk.length;
    }
    if (discardedBytes > 0) {
      this.log.warn(
        { discardedBytes, remoteAddress: this.remoteAddress },
        "discarded plaintext sent after STARTTLS",
      );
    }
    await this.acceptTls();
  }

  /**
   * Compresses everything from now on in both directions (RFC 4978 COMPRESS=DEFLATE), above TLS if any.
   * The protocol calls it right after its tagged OK went out, having dropped its own parse buffer (the
   * client sends compressed bytes only once it has seen the OK). Bytes the socket already holds are
   * compressed ones and are inflated, not dropped. Corrupt input closes the connection.
   */
  startCompression(level: number): void {
    if (this.#compression !== null) throw new Error("compression is already active");
    const compression = new DeflateCompression(level);
    this.#compression = compression;
    compression.output.on("error", (error: Error) => {
      this.log.info({ err: { message: error.message } }, "client sent corrupt DEFLATE data; closing");
      this.#abort("closed");
      this.#socket.destroy();
    });
    void this.#closed.then(() => compression.destroy());
    this.#socket.pipe(compression.input);
    for (const wake of this.#wakeReaders) wake();
  }

  /**
   * Starts the server side of a TLS handshake on the current plain socket and resolves when it is done.
   * Listeners call it for implicit TLS before any byte was read; the wrap happens synchronously, so bytes
   * already on the wire are the ClientHello. Protocols use `startTls` instead.
   */
  async acceptTls(): Promise<void> {
    const tls = this.#tls;
    if (tls === undefined) throw new Error("TLS is not configured for this listener");
    const plain = this.#socket;
    plain.setTimeout(0);
    // The context set is read now, so a reload (SIGHUP) applies to every handshake that starts after it.
    const secure = new TLSSocket(plain, {
      isServer: true,
      secureContext: tls.current,
      SNICallback: (serverName, done) => done(null, tls.forServerName(serverName)),
    });
    this.#socket = secure;
    this.#attach(secure);
    for (const wake of this.#wakeReaders) wake();
    const timer = setTimeout(
      () => secure.destroy(new Error("TLS handshake timeout")),
      this.#handshakeTimeoutMs,
    );
    try {
      await new Promise<void>((resolve, reject) => {
        secure.once("secure", resolve);
        secure.once("error", reject);
        secure.once("close", () => reject(new ConnectionClosedError(this.#closeReason())));
      });
    } catch (error) {
      this.log.debug({ err: error }, "TLS handshake failed");
      secure.destroy();
      throw error instanceof ConnectionClosedError ? error : new ConnectionClosedError("closed");
    } finally {
      clearTimeout(timer);
    }
    secure.setTimeout(this.#idleTimeoutMs);
  }

  /**
   * Called during graceful shutdown, before `signal` aborts; say `* BYE` or `421` here. It runs beside the
   * handler, so a protocol mid-response should only set a flag and say goodbye at its next command boundary.
   * Each hook gets at most 2 s.
   */
  onShutdown(hook: ConnectionHook): void {
    this.#shutdownHooks.push(hook);
  }

  /**
   * Called when an administrator ends the session (`postfach kick`), before `signal` aborts and the socket
   * closes; a protocol without one says its shutdown goodbye instead.
   */
  onKick(hook: ConnectionHook): void {
    this.#kickHooks.push(hook);
  }

  /** Ends the connection for an administrator: the kick (else shutdown) hooks, then abort and close. */
  async kick(): Promise<void> {
    if (this.#isEnding || this.signal.aborted) return;
    this.log.info({}, "disconnected by the administrator");
    await this.#runHooks(this.#kickHooks.length > 0 ? this.#kickHooks : this.#shutdownHooks, "kick");
    this.#abort("kicked");
    await this.close();
  }

  /** Called when the idle timeout fires, before `signal` aborts and the socket closes. */
  onIdleTimeout(hook: ConnectionHook): void {
    this.#idleHooks.push(hook);
  }

  /**
   * Closes the connection after `ms` without traffic in either direction while the protocol waits for
   * the client (time it spends on a command does not count); 0 disables.
   */
  setIdleTimeout(ms: number): void {
    this.#idleTimeoutMs = ms;
    if (!this.#isEnding) this.#socket.setTimeout(ms);
  }

  /**
   * Protocols call this before running each command: null within the connection's command budget (the
   * command runs at once, without an await: a pipelined download runs thousands), otherwise a pause
   * that resolves when a client that floods may go on (src/net/command-rate.ts).
   */
  paceCommand(): Promise<void> | null {
    const waitMs = this.#commandRate.take();
    return waitMs > 0 ? new Promise((resolve) => setTimeout(resolve, waitMs)) : null;
  }

  /** Whether the next command may run without a pause: paceCommand() would return null. */
  canRunCommandNow(): boolean {
    return this.#commandRate.hasToken();
  }

  /**
   * Gives back a paced command's token when the command sent message content: the client reading it
   * paces such a command (the session writes no faster than the socket drains), as POP3's RETR.
   */
  refundCommand(): void {
    this.#commandRate.refund();
  }

  /**
   * Switches from the pre-login idle timeout to the longer one for logged-in sessions (RFC 9051 §5.4:
   * at least 30 minutes); protocols call it once authentication succeeds.
   */
  useAuthenticatedIdleTimeout(): void {
    this.setIdleTimeout(this.#authenticatedIdleTimeoutMs);
  }

  /** Runs the shutdown hooks (each bounded), then aborts `signal`. For ListenerGroup.shutdown. */
  async runShutdownHooks(): Promise<void> {
    await this.#runHooks(this.#shutdownHooks, "shutdown");
    this.#abort("shutdown");
  }

  /** Flushes pending writes, ends the socket (destroying it if the peer lingers), resolves when closed. */
  async close(): Promise<void> {
    const socket = this.#socket;
    if (!socket.destroyed && !this.#isEnding) {
      this.#isEnding = true;
      socket.setTimeout(0);
      socket.end();
      const timer = setTimeout(() => socket.destroy(), CLOSE_TIMEOUT_MS);
      timer.unref();
      void this.#closed.then(() => clearTimeout(timer));
    }
    await this.#closed;
  }

  /** Closes at once, discarding unsent data. */
  destroy(): void {
    this.#socket.destroy();
  }

  #attach(socket: Socket): void {
    socket.on("error", (error: NodeJS.ErrnoException) => {
      this.log.debug({ err: { message: error.message, code: error.code } }, "socket error");
    });
    socket.once("close", () => this.#markClosed());
    socket.on("timeout", () => void this.#idleOut(socket));
  }

  async #idleOut(socket: Socket): Promise<void> {
    if (socket !== this.#socket || this.#isEnding || this.signal.aborted) return;
    if (this.#isProcessing) {
      // The client is waiting for us (a delivery behind a slow disk, a long search), not we for it:
      // that is not idleness. The clock starts again; slow readers have their own limit (sendTimeoutMs).
      socket.setTimeout(this.#idleTimeoutMs);
      return;
    }
    this.log.info({ idleTimeoutMs: this.#idleTimeoutMs }, "idle timeout");
    socket.setTimeout(0);
    await this.#runHooks(this.#idleHooks, "idle");
    this.#abort("idle");
    await this.close();
  }

  async #runHooks(hooks: readonly ConnectionHook[], stage: string): Promise<void> {
    for (const hook of hooks) {
      if (this.#isClosed) return;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          hook(),
          new Promise((resolve) => {
            timer = setTimeout(resolve, HOOK_TIMEOUT_MS);
          }),
        ]);
      } catch (error) {
        this.log.debug({ err: error, stage }, "connection hook failed");
      } finally {
        clearTimeout(timer);
      }
    }
  }

  async #compress(compression: DeflateCompression, data: Uint8Array | string): Promise<Buffer> {
    if (this.#socket.destroyed) throw new ConnectionClosedError(this.#closeReason());
    try {
      return await compression.compress(data);
    } catch {
      throw new ConnectionClosedError(this.#closeReason());
    }
  }

  #waitReadable(socket: Readable): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        socket.off("readable", done);
        socket.off("end", done);
        socket.off("close", done);
        this.signal.removeEventListener("abort", done);
        this.#wakeReaders.delete(done);
        resolve();
      };
      socket.on("readable", done);
      socket.on("end", done);
      socket.on("close", done);
      this.signal.addEventListener("abort", done);
      this.#wakeReaders.add(done);
    });
  }

  #dropSlowReader(details: { unsentBytes: number; sendTimeoutMs?: number }): void {
    this.log.warn(
      { ...details, maxUnsentBytes: this.#maxUnsentBytes, remoteAddress: this.remoteAddress },
      "client does not read its responses; disconnecting",
    );
    this.#abort("slowReader");
    this.#socket.destroy();
  }

  #abort(reason: CloseReason): void {
    if (!this.signal.aborted) this.#controller.abort(new ConnectionClosedError(reason));
  }

  #closeReason(): CloseReason {
    const reason: unknown = this.signal.reason;
    return reason instanceof ConnectionClosedError ? reason.reason : "closed";
  }

  #markClosed(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    METRICS.connectionsOpen.add({ proto: this.proto }, -1);
    this.#abort("closed");
    this.#resolveClosed();
  }
}

/** "::ffff:192.0.2.1" → "192.0.2.1", so per-IP limits count one client once. */
export function normaliseIp(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
