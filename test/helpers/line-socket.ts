// A minimal line-oriented test client over plain TCP or TLS that can bind its local address (to play a
// second client IP such as 127.0.0.2 on loopback). Lines are CRLF-split; readLine waits for the next one.
import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls, type TLSSocket } from "node:tls";

export class LineSocket {
  #buffer = "";
  #lines: string[] = [];
  #waiters: ((line: string) => void)[] = [];

  private constructor(readonly socket: Socket | TLSSocket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.#buffer += chunk;
      for (let i = this.#buffer.indexOf("\r\n"); i >= 0; i = this.#buffer.indexOf("\r\n")) {
        const line = this.#buffer.slice(0, i);
        this.#buffer = this.#buffer.slice(i + 2);
        const waiter = this.#waiters.shift();
        if (waiter) waiter(line);
        else this.#lines.push(line);
      }
    });
  }

  static async connect(
    port: number,
    options: { localAddress?: string; tls?: boolean } = {},
  ): Promise<LineSocket> {
    const socket = options.tls
      ? connectTls({
          host: "127.0.0.1",
          port,
          rejectUnauthorized: false,
          ...(options.localAddress && { localAddress: options.localAddress }),
        })
      : connectTcp({
          host: "127.0.0.1",
          port,
          ...(options.localAddress && { localAddress: options.localAddress }),
        });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.tls ? "secureConnect" : "connect", () => resolve());
      socket.once("error", reject);
    });
    return new LineSocket(socket);
  }

  readLine(): Promise<string> {
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** Sends an IMAP command and returns the tagged reply line (untagged lines are skipped). */
  async imap(tag: string, command: string): Promise<string> {
    this.send(`${tag} ${command}`);
    for (;;) {
      const line = await this.readLine();
      if (line.startsWith(`${tag} `)) return line;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
