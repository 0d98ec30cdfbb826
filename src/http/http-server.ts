// The HTTP listeners (plain and implicit TLS, same certificates as the mail listeners): sockets come from
// net's ListenerGroup, so connection limits, TLS and graceful shutdown are the ones every protocol has,
// and are handed to one node:http server that parses requests. Routes: jmap-routes.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Authenticator } from "../auth/authenticator.js";
import type { PlaintextAuthPolicy } from "../auth/plaintext-policy.js";
import type { SessionRegistry } from "../auth/session-registry.js";
import type { JmapLimits } from "../jmap/capabilities.js";
import type { JmapServices } from "../jmap/jmap-context.js";
import type { Logger } from "../kit/logger.js";
import type { Connection } from "../net/connection.js";
import type { ListenerSpec } from "../net/listener-group.js";
import { BearerTokens } from "./bearer-tokens.js";
import { type HttpRequestContext, handleJmapRequest } from "./jmap-routes.js";
import { RequestLimiter } from "./request-limiter.js";
import { StaticSite } from "./static-files.js";

export interface HttpDeps extends JmapServices {
  readonly authenticator: Authenticator;
  /** Where push streams register, so `postfach kick` ends them too. */
  readonly sessions?: SessionRegistry;
}

export interface HttpOptions {
  readonly listen: readonly string[];
  readonly tlsListen: readonly string[];
  readonly plaintextAuth: PlaintextAuthPolicy;
  readonly limits: JmapLimits;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  /** How long a bearer token from POST /jmap/token stays valid. */
  readonly tokenLifetimeMs: number;
  /** The built webmail (dist/web) served at `/`, or null for none. */
  readonly webRoot: string | null;
}

/** Header bytes one request may send (node's default is 16 KiB; JMAP requests carry their data in the body). */
const MAX_HEADER_BYTES = 16_384;

interface SocketState {
  readonly conn: Connection;
  /** Responses of this connection not yet finished (pipelined requests queue behind the first). */
  readonly responses: Set<ServerResponse>;
  /** Aborted on shutdown, so long-lived responses (EventSource) end instead of holding the socket. */
  readonly closing: AbortController;
  isClosing: boolean;
}

export function createHttpListeners(deps: HttpDeps, options: HttpOptions, log: Logger): ListenerSpec[] {
  if (options.listen.length === 0 && options.tlsListen.length === 0) return [];
  const states = new WeakMap<Socket, SocketState>();
  const requestLimiter = new RequestLimiter(options.limits.maxConcurrentRequests);
  const tokens = new BearerTokens(options.tokenLifetimeMs);
  const uploadLimiter = new RequestLimiter(options.limits.maxConcurrentUpload);
  const httpLog = log.child({ proto: "http" });
  const site = options.webRoot === null ? null : StaticSite.open(options.webRoot);
  if (options.webRoot !== null && site === null) {
    httpLog.info({ webRoot: options.webRoot }, "webmail not built: nothing served at /");
  }
  const server: Server = createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      requestTimeout: options.requestTimeoutMs,
      headersTimeout: Math.min(options.requestTimeoutMs, 60_000),
      keepAliveTimeout: options.keepAliveTimeoutMs,
      // How often node checks those timeouts: often enough that a timeout fires close to its time.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, options.requestTimeoutMs / 4)),
    },
    (req, res) => void serve(req, res),
  );
  // Sockets are handed in with emit("connection") and the server never listens itself; its request
  // and header timeouts are checked by a timer that node starts on "listening", so start it so.
  server.emit("listening");
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const status =
      error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? "Request Header Fields Too Large" : status === 408 ? "Request Timeout" : "Bad Request"}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const state = states.get(req.socket as Socket);
    if (state === undefined) {
      res.destroy();
      return;
    }
    state.responses.add(res);
    res.once("close", () => {
      state.responses.delete(res);
      if (state.isClosing && state.responses.size === 0) req.socket.end();
    });
    if (state.isClosing) res.shouldKeepAlive = false;
    const context: HttpRequestContext = {
      deps,
      limits: options.limits,
      plaintextAuth: options.plaintextAuth,
      remoteAddress: state.conn.remoteAddress,
      isTls: state.conn.isTls,
      requestLimiter,
      uploadLimiter,
      log: state.conn.log,
      closing: state.closing.signal,
      useLongIdleTimeout: () => state.conn.useAuthenticatedIdleTimeout(),
      tokens,
      site,
    };
    try {
      await handleJmapRequest(context, req, res);
    } catch (error) {
      state.conn.log.error({ err: error }, "HTTP request failed");
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8", connection: "close" });
        res.end("Internal server error\n");
      } else res.destroy();
    }
  }

  const handler = async (conn: Connection): Promise<void> => {
    const socket = conn.socket;
    const state: SocketState = {
      conn,
      responses: new Set(),
      closing: new AbortController(),
      isClosing: false,
    };
    states.set(socket, state);
    conn.onShutdown(() => {
      // Idle keep-alive connections go now; busy ones finish their response, say so, and then close.
      state.isClosing = true;
      for (const res of state.responses) if (!res.headersSent) res.shouldKeepAlive = false;
      state.closing.abort();
      if (state.responses.size === 0) socket.end();
    });
    server.emit("connection", socket);
    await conn.closed;
  };
  httpLog.debug({}, "HTTP server ready");
  return [
    ...options.listen.map((address) => ({ proto: "http", address, implicitTls: false, handler })),
    ...options.tlsListen.map((address) => ({ proto: "http", address, implicitTls: true, handler })),
  ];
}
