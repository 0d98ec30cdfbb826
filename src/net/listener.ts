// One TCP listening socket: binds a "host:port" address, hands every accepted socket to a callback and
// turns bind failures (EADDRINUSE, EACCES, EADDRNOTAVAIL) into errors that name the address.
import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "../kit/logger.js";
import { type ListenAddress, parseListenAddress } from "./listen-address.js";

/** A bound listener; `address` has the real port when port 0 was asked for. */
export interface Listener {
  readonly address: ListenAddress;
  /** Stops accepting; connections already accepted are left alone. */
  close(): void;
}

export async function openListener(
  address: string,
  onSocket: (socket: Socket) => void,
  log: Logger,
): Promise<Listener> {
  const wanted = parseListenAddress(address);
  const server = createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000 });
  server.on("connection", onSocket);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: wanted.host, port: wanted.port }, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    throw new Error(`cannot listen on ${address}: ${explainBindError(error)}`, { cause: error });
  }
  // Accept errors (EMFILE and the like) must not crash the process; the server keeps listening.
  server.on("error", (error) => log.error({ err: error, address }, "listener error"));
  return { address: boundAddress(server, wanted), close: () => closeServer(server) };
}

function boundAddress(server: Server, wanted: ListenAddress): ListenAddress {
  const bound = server.address();
  return typeof bound === "object" && bound !== null ? { host: wanted.host, port: bound.port } : wanted;
}

function closeServer(server: Server): void {
  // server.close's callback waits for every accepted connection; the group tracks those itself.
  if (server.listening) server.close();
}

function explainBindError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") return "address already in use (is another server running?)";
  if (code === "EACCES") return "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
  if (code === "EADDRNOTAVAIL") return "address not available on this host";
  return (error as Error).message;
}
