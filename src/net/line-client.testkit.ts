// Test support (not used by the server): a tiny CRLF line client over a real socket, plain or TLS.
import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls, type TLSSocket } from "node:tls";

export class LineClient {
  readonly socket: Socket;
  #buffer = "";
  #isClosed = false;
  #wake: (() => void) | undefined;
  readonly #onData = (data: string): void => {
    this.#buffer += data;
    this.#wake?.();
  };

  constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding("latin1");
    socket.on("data", this.#onData);
    socket.on("error", () => {});
    socket.on("close", () => {
      this.#isClosed = true;
      this.#wake?.();
    });
  }

  /** The next line without CRLF; rejects with "closed" at EOF and after `timeoutMs`. */
  async line(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.#buffer.indexOf("\r\n");
      if (end >= 0) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        return line;
      }
      if (this.#isClosed) throw new Error("closed");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("timeout waiting for a line");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /**
   * The lines of a multi-line reply (POP3 RETR, TOP, LIST…) up to its terminating ".", each with its
   * CRLF, as sent (dot-stuffing kept); rejects with "closed" if the connection ends first.
   */
  async untilDot(): Promise<string> {
    let text = "";
    for (let line = await this.line(); line !== "."; line = await this.line()) text += `${line}\r\n`;
    return text;
  }

  /** Resolves when the server has closed the connection (EOF or reset). */
  async closed(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#isClosed) {
      if (Date.now() > deadline) throw new Error("timeout waiting for close");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Stops reading this socket, so it can be handed to tls.connect for STARTTLS. */
  detach(): Socket {
    this.socket.off("data", this.#onData);
    return this.socket;
  }
}

export async function connectPlainClient(port: number): Promise<LineClient> {
  const socket = connectTcp({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return new LineClient(socket);
}

/** A TLS client; trusts `ca` when given, otherwise accepts any certificate. */
export async function connectTlsClient(
  target: { port: number } | { socket: Socket },
  ca?: string,
): Promise<LineClient> {
  const socket: TLSSocket = connectTls({
    ...("port" in target ? { host: "127.0.0.1", port: target.port } : { socket: target.socket }),
    servername: "localhost",
    ...(ca === undefined ? { rejectUnauthorized: false } : { ca }),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("secureConnect", resolve);
    socket.once("error", reject);
  });
  return new LineClient(socket);
}

/**
 * A tiny line protocol for tests: greets, echoes lines with the transport ("ECHO x tls"), QUIT, and
 * STARTTLS that follows the Connection contract (drops its own buffer, replies, upgrades).
 * `delayBeforeStartTlsMs` breaks the "no await between reply and startTls" rule on purpose, so pipelined
 * bytes land in the socket's own buffer.
 */
export function lineEchoProtocol(options: { delayBeforeStartTlsMs?: number; seen?: string[] } = {}) {
  return async (conn: import("./connection.js").Connection): Promise<void> => {
    const transport = (): string => (conn.isTls ? "tls" : "plain");
    conn.onShutdown(() => conn.write("* BYE shutting down\r\n"));
    conn.onIdleTimeout(() => conn.write("* BYE idle\r\n"));
    await conn.write(`* HELLO ${conn.proto} ${transport()}\r\n`);
    let buffer = "";
    for await (const chunk of conn.chunks()) {
      buffer += chunk.toString("latin1");
      for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        options.seen?.push(line);
        if (line === "QUIT") {
          await conn.write("* BYE\r\n");
          return;
        }
        if (line === "STARTTLS") {
          buffer = "";
          if (options.delayBeforeStartTlsMs !== undefined) {
            await new Promise((resolve) => setTimeout(resolve, options.delayBeforeStartTlsMs));
          }
          await conn.write("OK begin TLS\r\n");
          await conn.startTls();
          continue;
        }
        await conn.write(`ECHO ${line} ${transport()}\r\n`);
      }
    }
  };
}
