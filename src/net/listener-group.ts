// All listeners of the server and their connections: plain or implicit-TLS accept, the PROXY protocol
// (HAProxy spec v1/v2) from trusted balancers, total and per-IP connection limits on the real client,
// idle and slow-reader limits, and a graceful shutdown that lets every protocol say goodbye.
import type { Socket } from "node:net";
import type { SecureContext } from "node:tls";
import type { Logger } from "../kit/logger.js";
import { Connection, normaliseIp } from "./connection.js";
import { isConnectionClosedError } from "./connection-closed-error.js";
import { formatListenAddress } from "./listen-address.js";
import { type Listener, openListener } from "./listener.js";
import type { ProxiedSource } from "./proxy-protocol.js";
import { readProxyHeader } from "./read-proxy-header.js";
import { TlsContextSet } from "./tls-contexts.js";
import { parseTrustedNetworks } from "./trusted-networks.js";

export type ConnectionHandler = (conn: Connection) => Promise<void>;
export type LimitReason = "maxConnections" | "maxConnectionsPerIp";

/** One address to listen on and the protocol that serves it. */
export interface ListenerSpec {
  /** "imap", "pop3", "lmtp", … — used in logs. */
  readonly proto: string;
  /** "host:port" or "[v6]:port"; port 0 binds an ephemeral port. */
  readonly address: string;
  readonly implicitTls: boolean;
  readonly handler: ConnectionHandler;
  /**
   * Runs instead of `handler` when a connection limit is reached, to write the protocol's own refusal
   * (e.g. `* BYE Too many connections`, `421 4.7.0 …`); the connection is closed afterwards either way.
   */
  readonly reject?: (conn: Connection, reason: LimitReason) => Promise<void>;
  /** Overrides the group's idle timeout for this listener's connections. */
  readonly idleTimeoutMs?: number;
  /** Expect a PROXY protocol header; overrides `proxy.protocols` for this listener. */
  readonly proxyProtocol?: boolean;
}

/** PROXY protocol: which listeners expect the header and from which peers it is believed. */
export interface ProxyProtocolOptions {
  /** CIDR blocks of the load balancers; a connection from anywhere else is closed unanswered. */
  readonly trusted: readonly string[];
  /** Listener protocols ("imap", "pop3", "lmtp", "smtp") behind the balancer, plain and implicit TLS. */
  readonly protocols: readonly string[];
  /** The header must be complete this long after accept. */
  readonly headerTimeoutMs: number;
}

export interface ListenerGroupOptions {
  readonly log: Logger;
  /** Required when any spec has implicitTls, and for STARTTLS; `tls` (reloadable, SNI) wins over it. */
  readonly secureContext?: SecureContext;
  readonly tls?: TlsContextSet;
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
  /** Until the protocol reports a login; 0 disables. */
  readonly idleTimeoutMs: number;
  /** After login (`Connection.useAuthenticatedIdleTimeout`); defaults to `idleTimeoutMs`. */
  readonly authenticatedIdleTimeoutMs?: number;
  readonly handshakeTimeoutMs?: number;
  /** Slow-reader limits (see Connection.write); 0 or absent disables. */
  readonly maxUnsentBytes?: number;
  readonly sendTimeoutMs?: number;
  /** Per-connection command budget (Connection.paceCommand); 0 disables. */
  readonly maxCommandsPerSecond?: number;
  readonly proxy?: ProxyProtocolOptions;
}

export interface BoundListener {
  readonly proto: string;
  readonly implicitTls: boolean;
  readonly host: string;
  /** The real port (differs from the spec when it asked for port 0). */
  readonly port: number;
  /** "host:port" of the bound socket. */
  readonly address: string;
}

/** Refusals get a short budget: a flood of over-limit clients must not hold sockets for long. */
const REJECT_BUDGET_MS = 5000;

export class ListenerGroup {
  readonly #options: ListenerGroupOptions;
  readonly #specs: ListenerSpec[] = [];
  readonly #listeners: Listener[] = [];
  readonly #connections = new Set<Connection>();
  readonly #tasks = new Set<Promise<void>>();
  readonly #perIp = new Map<string, number>();
  /** Sockets of proxied listeners still sending their PROXY header: not yet counted anywhere. */
  readonly #awaitingHeader = new Set<Socket>();
  readonly #tls: TlsContextSet | undefined;
  readonly #isTrustedProxy: (address: string) => boolean;
  #counted = 0;
  #isShuttingDown = false;

  constructor(options: ListenerGroupOptions, specs: readonly ListenerSpec[] = []) {
    this.#options = options;
    this.#tls =
      options.tls ??
      (options.secureContext === undefined ? undefined : TlsContextSet.of(options.secureContext));
    this.#isTrustedProxy = parseTrustedNetworks(options.proxy?.trusted ?? []);
    for (const spec of specs) this.add(spec);
  }

  /** The TLS contexts every new handshake reads; replace them to reload certificates. */
  get tls(): TlsContextSet | undefined {
    return this.#tls;
  }

  /** Adds a listener to open on `listen()`. */
  add(spec: ListenerSpec): void {
    if (spec.implicitTls && this.#tls === undefined) {
      throw new Error(`${spec.proto} on ${spec.address} needs TLS, but no TLS context was given`);
    }
    this.#specs.push(spec);
  }

  /** Connections counted against the limits (accepted and not refused). */
  get connectionCount(): number {
    return this.#counted;
  }

  /** Binds every spec; on any failure closes what was bound and rethrows (the error names the address). */
  async listen(): Promise<BoundListener[]> {
    const bound: BoundListener[] = [];
    try {
      for (const spec of this.#specs) {
        const listener = await openListener(
          spec.address,
          (socket) => this.#accept(spec, socket),
          this.#options.log,
        );
        this.#listeners.push(listener);
        const address = formatListenAddress(listener.address);
        bound.push({ proto: spec.proto, implicitTls: spec.implicitTls, ...listener.address, address });
        this.#options.log.info({ proto: spec.proto, address, implicitTls: spec.implicitTls }, "listening");
      }
    } catch (error) {
      for (const listener of this.#listeners.splice(0)) listener.close();
      throw error;
    }
    return bound;
  }

  /**
   * Stops accepting, runs every connection's onShutdown hooks (which then aborts its signal), waits up to
   * `graceMs` in total for handlers to finish, destroys what is left; resolves when all sockets are closed.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.#isShuttingDown = true;
    for (const listener of this.#listeners.splice(0)) listener.close();
    const deadline = sleep(graceMs);
    const goodbyes = Promise.all([...this.#connections].map((conn) => conn.runShutdownHooks()));
    await Promise.race([goodbyes.then(() => Promise.allSettled(this.#tasks)), deadline.promise]);
    deadline.cancel();
    for (const conn of this.#connections) conn.destroy();
    for (const socket of this.#awaitingHeader) socket.destroy();
    await Promise.allSettled(this.#tasks);
  }

  #accept(spec: ListenerSpec, socket: Socket): void {
    const { log, maxConnections, proxy } = this.#options;
    if (this.#isShuttingDown || socket.remoteAddress === undefined) {
      socket.destroy();
      return;
    }
    // Refusals are not counted; past twice the limit, drop outright instead of spending a refusal on them.
    if (this.#connections.size + this.#awaitingHeader.size >= 2 * maxConnections) {
      socket.destroy();
      return;
    }
    const isProxied = spec.proxyProtocol ?? proxy?.protocols.includes(spec.proto) ?? false;
    if (!isProxied) {
      this.#admit(spec, socket, null);
      return;
    }
    const peer = normaliseIp(socket.remoteAddress);
    if (!this.#isTrustedProxy(peer)) {
      log.warn(
        { proto: spec.proto, remoteAddress: peer },
        "PROXY protocol listener: peer is not trusted; closed",
      );
      socket.destroy();
      return;
    }
    // The real client is known only after the header, so the per-IP limit is checked then (in #admit).
    socket.on("error", () => {});
    this.#awaitingHeader.add(socket);
    readProxyHeader(socket, proxy?.headerTimeoutMs ?? 5000).then(
      (source) => {
        this.#awaitingHeader.delete(socket);
        if (this.#isShuttingDown || socket.destroyed) socket.destroy();
        else this.#admit(spec, socket, source);
      },
      (error: unknown) => {
        this.#awaitingHeader.delete(socket);
        log.warn(
          { proto: spec.proto, remoteAddress: peer, reason: (error as Error).message },
          "invalid PROXY protocol header; closed",
        );
        socket.destroy();
      },
    );
  }

  /** Counts the connection against the limits (refusing it when over) and runs its protocol. */
  #admit(spec: ListenerSpec, socket: Socket, source: ProxiedSource | null): void {
    const { log, maxConnections, maxConnectionsPerIp } = this.#options;
    const ip = source?.address ?? normaliseIp(socket.remoteAddress ?? "");
    const limit: LimitReason | undefined =
      this.#counted >= maxConnections
        ? "maxConnections"
        : (this.#perIp.get(ip) ?? 0) >= maxConnectionsPerIp
          ? "maxConnectionsPerIp"
          : undefined;
    const idleTimeoutMs = spec.idleTimeoutMs ?? this.#options.idleTimeoutMs;
    const conn = new Connection({
      proto: spec.proto,
      socket,
      log,
      ...(this.#tls !== undefined && { tls: this.#tls }),
      ...(source !== null && { remoteAddress: source.address, remotePort: source.port }),
      idleTimeoutMs: limit === undefined ? idleTimeoutMs : REJECT_BUDGET_MS,
      authenticatedIdleTimeoutMs: this.#options.authenticatedIdleTimeoutMs ?? idleTimeoutMs,
      handshakeTimeoutMs:
        limit === undefined ? (this.#options.handshakeTimeoutMs ?? 30_000) : REJECT_BUDGET_MS,
      maxUnsentBytes: this.#options.maxUnsentBytes ?? 0,
      sendTimeoutMs: this.#options.sendTimeoutMs ?? 0,
      maxCommandsPerSecond: this.#options.maxCommandsPerSecond ?? 0,
    });
    this.#connections.add(conn);
    if (limit === undefined) this.#count(ip, +1);
    const task = this.#serve(spec, conn, limit).finally(() => {
      if (limit === undefined) this.#count(ip, -1);
      this.#connections.delete(conn);
      this.#tasks.delete(task);
    });
    this.#tasks.add(task);
  }

  async #serve(spec: ListenerSpec, conn: Connection, limit: LimitReason | undefined): Promise<void> {
    try {
      // acceptTls wraps synchronously, before any byte of the ClientHello can be read as plaintext.
      if (spec.implicitTls) await conn.acceptTls();
      if (limit === undefined) {
        conn.log.debug({ remoteAddress: conn.remoteAddress, remotePort: conn.remotePort }, "connected");
        // A handler that never returns must not keep shutdown waiting once its socket is gone.
        await Promise.race([spec.handler(conn), conn.closed]);
      } else {
        conn.log.warn({ remoteAddress: conn.remoteAddress, limit }, "connection refused: limit reached");
        const budget = sleep(REJECT_BUDGET_MS);
        await Promise.race([spec.reject?.(conn, limit), budget.promise]);
        budget.cancel();
      }
    } catch (error) {
      if (!isConnectionClosedError(error)) conn.log.error({ err: error }, "connection handler failed");
    } finally {
      await conn.close();
      conn.log.debug({}, "closed");
    }
  }

  #count(ip: string, delta: number): void {
    this.#counted += delta;
    const next = (this.#perIp.get(ip) ?? 0) + delta;
    if (next <= 0) this.#perIp.delete(ip);
    else this.#perIp.set(ip, next);
  }
}

function sleep(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}
