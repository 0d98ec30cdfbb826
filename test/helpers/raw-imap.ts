// A deliberately dumb IMAP client for exact-protocol tests: writes raw bytes, collects lines, and waits
// for a tagged reply. Real clients (imapflow, imaplib) hide the wire; these tests want to see it.
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import { constants, createDeflateRaw, createInflateRaw } from "node:zlib";

export class RawImap {
  #buffer = "";
  #waiters: (() => void)[] = [];
  #isClosed = false;
  /** Set by startDeflate: compresses each write and flushes it (RFC 4978). */
  #send: (bytes: string | Uint8Array) => void = (bytes) => this.socket.write(bytes);
  /** Compressed bytes received since startDeflate. */
  compressedBytesReceived = 0;

  private constructor(private socket: Socket | TLSSocket) {
    this.#attach(socket);
  }

  static async connect(port: number, options: { tls?: boolean } = {}): Promise<RawImap> {
    const socket = options.tls
      ? tlsConnect({ host: "127.0.0.1", port, rejectUnauthorized: false })
      : connect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.tls ? "secureConnect" : "connect", () => resolve());
      socket.once("error", reject);
    });
    const client = new RawImap(socket);
    await client.waitFor((text) => text.includes("\r\n"));
    return client;
  }

  /** Connects and logs in with LOGIN, asserting the server answers OK. */
  static async loggedIn(
    port: number,
    user: string,
    password: string,
    options: { tls?: boolean } = {},
  ): Promise<RawImap> {
    const raw = await RawImap.connect(port, options);
    raw.take();
    assert.match(await raw.command("l0", `LOGIN ${user} ${password}`), /^l0 OK/m);
    return raw;
  }

  #attach(socket: Socket | TLSSocket): void {
    socket.setEncoding("latin1");
    socket.on("data", (data: string) => {
      this.#buffer += data;
      for (const wake of this.#waiters.splice(0)) wake();
    });
    socket.on("close", () => {
      this.#isClosed = true;
      for (const wake of this.#waiters.splice(0)) wake();
    });
    socket.on("error", () => {});
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Everything received so far (latin1, so bytes map 1:1 to characters). */
  get received(): string {
    return this.#buffer;
  }

  /** Takes and clears what was received. */
  take(): string {
    const text = this.#buffer;
    this.#buffer = "";
    return text;
  }

  write(text: string | Uint8Array): void {
    this.#send(text);
  }

  /** Switches both directions to raw DEFLATE (after a COMPRESS DEFLATE OK), flushing every write. */
  startDeflate(): void {
    const inflate = createInflateRaw();
    const deflate = createDeflateRaw();
    this.socket.removeAllListeners("data");
    this.socket.on("data", (data: string) => {
      this.compressedBytesReceived += data.length;
      inflate.write(Buffer.from(data, "latin1"));
    });
    inflate.on("data", (data: Buffer) => {
      this.#buffer += data.toString("latin1");
      for (const wake of this.#waiters.splice(0)) wake();
    });
    // Closed only once the inflater has passed on the last bytes (it works asynchronously). A flush, not
    // end(): ending a raw DEFLATE stream that has no final block is an "unexpected end of file" error,
    // which could discard the last reply before it is read.
    const markClosed = (): void => {
      this.#isClosed = true;
      for (const wake of this.#waiters.splice(0)) wake();
    };
    this.socket.removeAllListeners("close");
    this.socket.on("close", () => {
      if (inflate.destroyed) markClosed();
      else inflate.flush(constants.Z_SYNC_FLUSH, markClosed);
    });
    inflate.on("error", () => {
      this.socket.destroy();
      markClosed();
    });
    deflate.on("data", (data: Buffer) => this.socket.write(data));
    this.#send = (bytes) => {
      deflate.write(bytes);
      deflate.flush(constants.Z_SYNC_FLUSH);
    };
  }

  async waitFor(predicate: (received: string) => boolean, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.#buffer)) {
      if (this.#isClosed) throw new Error(`connection closed; received: ${this.#buffer}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received: ${this.#buffer}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.#buffer;
  }

  /** Sends `tag command` and returns everything up to and including the tagged reply line. */
  async command(tag: string, command: string): Promise<string> {
    this.take();
    this.write(`${tag} ${command}\r\n`);
    return this.untilTagged(tag);
  }

  async untilTagged(tag: string): Promise<string> {
    const pattern = new RegExp(`(^|\\r\\n)${tag} (OK|NO|BAD)[^\\r\\n]*\\r\\n`);
    await this.waitFor((text) => pattern.test(text));
    return this.take();
  }

  /** APPENDs `raw` to `mailbox` with a non-synchronizing literal; returns the text up to the tagged reply. */
  async append(tag: string, mailbox: string, raw: Uint8Array): Promise<string> {
    this.take();
    this.write(
      Buffer.concat([
        Buffer.from(`${tag} APPEND ${mailbox} {${raw.byteLength}+}\r\n`),
        raw,
        Buffer.from("\r\n"),
      ]),
    );
    return this.untilTagged(tag);
  }

  /** Replaces the socket with a TLS one over it (after a STARTTLS OK). */
  async upgradeToTls(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners("data");
    const secure = tlsConnect({ socket: plain, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", () => resolve());
      secure.once("error", reject);
    });
    this.socket = secure;
    this.#attach(secure);
  }

  close(): void {
    this.socket.destroy();
  }
}
