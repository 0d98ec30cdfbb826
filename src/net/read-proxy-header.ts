// Reads the PROXY protocol header (v1 or v2) a load balancer sends first on each connection, within a
// time limit, and leaves every byte after it in the socket for the protocol (or the TLS handshake).
import type { Socket } from "node:net";
import { MAX_V2_BYTES, type ProxiedSource, parseProxyHeader } from "./proxy-protocol.js";

export class ProxyHeaderError extends Error {
  override readonly name = "ProxyHeaderError";
}

/**
 * Resolves with the real client (null for LOCAL/UNKNOWN headers); rejects with ProxyHeaderError on a
 * malformed header, a timeout or a closed socket. The socket must be fresh: nothing read from it yet.
 */
export function readProxyHeader(socket: Socket, timeoutMs: number): Promise<ProxiedSource | null> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const finish = (error: Error | null, source: ProxiedSource | null = null): void => {
      clearTimeout(timer);
      socket.off("readable", onReadable);
      socket.off("close", onClose);
      socket.off("end", onClose);
      if (error === null) resolve(source);
      else reject(error);
    };
    const onClose = (): void => finish(new ProxyHeaderError("connection closed before the PROXY header"));
    const onReadable = (): void => {
      for (
        let chunk = socket.read() as Buffer | null;
        chunk !== null;
        chunk = socket.read() as Buffer | null
      ) {
        received = Buffer.concat([received, chunk]);
        const result = parseProxyHeader(received);
        if (result.kind === "incomplete") {
          if (received.length <= MAX_V2_BYTES) continue;
          finish(new ProxyHeaderError("PROXY header too long"));
          return;
        }
        if (result.kind === "invalid") {
          finish(new ProxyHeaderError(result.reason));
          return;
        }
        const rest = received.subarray(result.headerBytes);
        // Bytes after the header belong to the protocol (or are the start of a ClientHello).
        if (rest.length > 0) socket.unshift(rest);
        finish(null, result.source);
        return;
      }
    };
    const timer = setTimeout(
      () => finish(new ProxyHeaderError(`no PROXY header within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on("readable", onReadable);
    socket.once("close", onClose);
    socket.once("end", onClose);
    onReadable();
  });
}
