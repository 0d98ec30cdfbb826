// A raw line client for security tests over real sockets: an optional PROXY header first, then plain
// or TLS, STARTTLS upgrades in place, and waiting for a pattern in everything received so far.
import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls, type PeerCertificate, type TLSSocket } from "node:tls";

export interface WireClientOptions {
  readonly tls?: boolean;
  /** SNI name sent in the ClientHello. */
  readonly servername?: string;
  /** Bytes written before anything else (before the TLS handshake too), e.g. a PROXY header. */
  readonly preamble?: Uint8Array;
  readonly localAddress?: string;
}

export class WireClient {
  text = "";
  isClosed = false;
  #socket: Socket | TLSSocket;
  #waiters: (() => void)[] = [];

  private constructor(socket: Socket | TLSSocket) {
    this.#socket = socket;
    this.#attach(socket);
  }

  static async connect(port: number, options: WireClientOptions = {}): Promise<WireClient> {
    const tcp = connectTcp({
      host: "127.0.0.1",
      port,
      ...(options.localAddress !== undefined && { localAddress: options.localAddress }),
    });
    tcp.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      tcp.once("connect", resolve);
      tcp.once("error", reject);
    });
    if (options.preamble !== undefined) tcp.write(options.preamble);
    if (!options.tls) return new WireClient(tcp);
    return new WireClient(await handshake(tcp, options.servername));
  }

  get socket(): Socket | TLSSocket {
    return this.#socket;
  }

  get peerCertificate(): PeerCertificate {
    return (this.#socket as TLSSocket).getPeerCertificate();
  }

  send(text: string): void {
    this.#socket.write(text);
  }

  /** Resolves with everything received once it matches; rejects on timeout or close without a match. */
  async waitFor(pattern: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.text)) {
      if (this.isClosed) throw new Error(`closed before ${pattern}; got ${JSON.stringify(this.text)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for ${pattern}; got ${JSON.stringify(this.text)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.text;
  }

  /** Resolves when the server has closed the connection. */
  async closed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isClosed) {
      if (Date.now() > deadline) throw new Error(`still open; got ${JSON.stringify(this.text)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Upgrades after the server's go-ahead; received text starts afresh. */
  async startTls(servername?: string): Promise<void> {
    const plain = this.#socket;
    plain.removeAllListeners("data");
    plain.removeAllListeners("close");
    this.text = "";
    this.#socket = await handshake(plain, servername);
    this.#attach(this.#socket);
  }

  end(): void {
    this.#socket.destroy();
  }

  #attach(socket: Socket | TLSSocket): void {
    socket.setEncoding("latin1");
    socket.on("data", (data: string) => {
      this.text += data;
      for (const wake of this.#waiters.splice(0)) wake();
    });
    socket.on("close", () => {
      this.isClosed = true;
      for (const wake of this.#waiters.splice(0)) wake();
    });
    socket.on("error", () => {});
  }
}

async function handshake(socket: Socket, servername: string | undefined): Promise<TLSSocket> {
  const secure = connectTls({
    socket,
    rejectUnauthorized: false,
    ...(servername !== undefined && { servername }),
  });
  await new Promise<void>((resolve, reject) => {
    secure.once("secureConnect", resolve);
    secure.once("error", reject);
  });
  return secure;
}
