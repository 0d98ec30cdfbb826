// A small SMTP client for the outbound sender (RFC 5321 §3, §4): one transaction per connection with
// EHLO, STARTTLS (RFC 3207; opportunistic towards MX hosts, required or implicit towards a smarthost),
// AUTH PLAIN (RFC 4954) at a smarthost, SIZE, 8BITMIME, SMTPUTF8, one reply per RCPT and the DATA
// dot-stream. Every read has a timeout; the connection is always closed at the end.
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import {
  formatServerReply,
  isPositiveReply,
  parseExtensions,
  ReplyCollector,
  type ServerReply,
} from "./server-reply.js";

export interface SmtpTarget {
  /** Address or name to connect to. */
  readonly host: string;
  readonly port: number;
  /** Name for TLS SNI and certificate checks (the MX or smarthost name). */
  readonly servername: string;
  /** implicit: TLS at once; required: STARTTLS or fail; opportunistic: STARTTLS when offered. */
  readonly tls: "implicit" | "required" | "opportunistic" | "none";
  readonly verifyTls: boolean;
  readonly auth: { readonly user: string; readonly pass: string } | null;
}

export interface OutboundTransaction {
  /** MAIL FROM; "" for the null reverse-path. */
  readonly from: string;
  readonly recipients: readonly string[];
  readonly data: Buffer;
}

export type TransactionResult =
  /** The server took MAIL FROM: one final reply per recipient, in order. */
  | { readonly kind: "replies"; readonly replies: readonly ServerReply[] }
  /** Nothing was tried (connect, greeting, TLS, AUTH or MAIL failed): `reply` when the server gave one. */
  | { readonly kind: "notTried"; readonly reason: string; readonly reply: ServerReply | null };

export async function sendTransaction(
  target: SmtpTarget,
  heloName: string,
  transaction: OutboundTransaction,
  timeoutMs: number,
): Promise<TransactionResult> {
  let connection: SmtpConnection | null = null;
  try {
    connection = await SmtpConnection.open(target, timeoutMs);
    return await converse(connection, target, heloName, transaction);
  } catch (error) {
    return { kind: "notTried", reason: error instanceof Error ? error.message : String(error), reply: null };
  } finally {
    connection?.close();
  }
}

async function converse(
  c: SmtpConnection,
  target: SmtpTarget,
  heloName: string,
  transaction: OutboundTransaction,
): Promise<TransactionResult> {
  const notTried = (what: string, reply: ServerReply): TransactionResult => ({
    kind: "notTried",
    reason: `${what}: ${formatServerReply(reply)}`,
    reply,
  });
  const greeting = await c.read();
  if (greeting.code !== 220) return notTried("greeting", greeting);
  let ehlo = await c.command(`EHLO ${heloName}`);
  if (ehlo.code !== 250) return notTried("EHLO", ehlo);
  let extensions = parseExtensions(ehlo);
  if (target.tls === "required" || (target.tls === "opportunistic" && extensions.has("STARTTLS"))) {
    if (!extensions.has("STARTTLS")) throw new Error(`${target.servername} does not offer STARTTLS`);
    const ready = await c.command("STARTTLS");
    if (ready.code !== 220) return notTried("STARTTLS", ready);
    await c.upgrade(target);
    ehlo = await c.command(`EHLO ${heloName}`);
    if (ehlo.code !== 250) return notTried("EHLO", ehlo);
    extensions = parseExtensions(ehlo);
  }
  if (target.auth !== null) {
    const credentials = Buffer.from(`\u0000${target.auth.user}\u0000${target.auth.pass}`, "utf8");
    const auth = await c.command(`AUTH PLAIN ${credentials.toString("base64")}`);
    if (auth.code !== 235) return notTried("AUTH", auth);
  }
  const params: string[] = [];
  if (extensions.has("SIZE")) params.push(`SIZE=${transaction.data.length}`);
  if (extensions.has("8BITMIME") && transaction.data.some((byte) => byte > 0x7f))
    params.push("BODY=8BITMIME");
  const isUtf8 = [transaction.from, ...transaction.recipients].some((a) => /[^\x00-\x7f]/.test(a));
  if (isUtf8 && !extensions.has("SMTPUTF8")) {
    // RFC 6531 §3.2: a UTF-8 address cannot go to a server without SMTPUTF8; it is returned, not mangled.
    const refusal = {
      code: 553,
      enhanced: "5.6.7",
      text: "The receiving server does not support SMTPUTF8",
      lines: [],
    };
    return { kind: "replies", replies: transaction.recipients.map(() => refusal) };
  }
  if (isUtf8) params.push("SMTPUTF8");
  const mail = await c.command(`MAIL FROM:<${transaction.from}>${params.map((p) => ` ${p}`).join("")}`);
  if (!isPositiveReply(mail)) return notTried("MAIL FROM", mail);
  const replies: ServerReply[] = [];
  for (const recipient of transaction.recipients) replies.push(await c.command(`RCPT TO:<${recipient}>`));
  if (!replies.some(isPositiveReply)) {
    await c.command("RSET").catch(() => undefined);
    return { kind: "replies", replies };
  }
  const go = await c.command("DATA");
  if (go.code !== 354) return { kind: "replies", replies: replies.map((r) => (isPositiveReply(r) ? go : r)) };
  const done = await c.sendData(dotStuff(transaction.data));
  await c.command("QUIT").catch(() => undefined);
  return { kind: "replies", replies: replies.map((r) => (isPositiveReply(r) ? done : r)) };
}

/** CRLF line ends, a dot doubled at the start of each line, and the CRLF "." CRLF end (RFC 5321 §4.5.2). */
export function dotStuff(data: Buffer): Buffer {
  let text = data.toString("latin1").replace(/\r?\n/g, "\r\n");
  if (!text.endsWith("\r\n")) text += "\r\n";
  text = text.replace(/(^|\r\n)\./g, "$1..");
  return Buffer.from(`${text}.\r\n`, "latin1");
}

/** One client connection: a line reader with a timeout per reply, STARTTLS upgrade, backpressured writes. */
class SmtpConnection {
  #socket: Socket;
  #pending = "";
  readonly #lines: string[] = [];
  #wake: (() => void) | null = null;
  #failure: Error | null = null;
  readonly #collector = new ReplyCollector();
  readonly #onData = (chunk: Buffer) => {
    this.#pending += chunk.toString("latin1");
    let end = this.#pending.indexOf("\n");
    while (end >= 0) {
      this.#lines.push(this.#pending.slice(0, end).replace(/\r$/, ""));
      this.#pending = this.#pending.slice(end + 1);
      end = this.#pending.indexOf("\n");
    }
    this.#wake?.();
  };
  readonly #onEnd = () => {
    this.#failure ??= new Error("connection closed by the server");
    this.#wake?.();
  };
  readonly #onError = (error: Error) => {
    this.#failure ??= error;
    this.#wake?.();
  };

  private constructor(
    socket: Socket,
    private readonly timeoutMs: number,
  ) {
    this.#socket = socket;
    this.#attach(socket);
  }

  static async open(target: SmtpTarget, timeoutMs: number): Promise<SmtpConnection> {
    const socket =
      target.tls === "implicit"
        ? tlsConnect({
            host: target.host,
            port: target.port,
            servername: target.servername,
            rejectUnauthorized: target.verifyTls,
          })
        : netConnect({ host: target.host, port: target.port });
    await settle(socket, target.tls === "implicit" ? "secureConnect" : "connect", timeoutMs, "connect");
    return new SmtpConnection(socket, timeoutMs);
  }

  #attach(socket: Socket): void {
    socket.on("data", this.#onData);
    socket.on("end", this.#onEnd);
    socket.on("close", this.#onEnd);
    socket.on("error", this.#onError);
  }

  async read(): Promise<ServerReply> {
    for (;;) {
      const line = this.#lines.shift();
      if (line !== undefined) {
        const reply = this.#collector.push(line);
        if (reply !== null) return reply;
        continue;
      }
      if (this.#failure) throw this.#failure;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.#wake = null;
          reject(new Error(`no reply within ${this.timeoutMs} ms`));
        }, this.timeoutMs);
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = null;
          resolve();
        };
      });
    }
  }

  async command(line: string): Promise<ServerReply> {
    await this.#write(Buffer.from(`${line}\r\n`, "utf8"));
    return this.read();
  }

  async sendData(bytes: Buffer): Promise<ServerReply> {
    await this.#write(bytes);
    return this.read();
  }

  async upgrade(target: SmtpTarget): Promise<void> {
    const plain = this.#socket;
    plain.off("data", this.#onData);
    plain.off("end", this.#onEnd);
    plain.off("close", this.#onEnd);
    plain.off("error", this.#onError);
    // RFC 3207 §4.2: nothing the server sent before the handshake may be used after it.
    this.#lines.length = 0;
    this.#pending = "";
    const secure = tlsConnect({
      socket: plain,
      servername: target.servername,
      rejectUnauthorized: target.verifyTls,
    });
    await settle(secure, "secureConnect", this.timeoutMs, "TLS handshake");
    this.#socket = secure;
    this.#attach(secure);
  }

  async #write(bytes: Buffer): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (!this.#socket.write(bytes)) {
      await new Promise<void>((resolve) => {
        this.#socket.once("drain", resolve);
        this.#socket.once("close", resolve);
      });
    }
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** Waits for `event` on a connecting socket, rejecting on error, close or after `timeoutMs`. */
function settle(socket: Socket, event: string, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${what} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`${what} failed: ${error.message}`));
    };
    socket.once("error", fail);
    socket.once(event, () => {
      clearTimeout(timer);
      socket.off("error", fail);
      resolve();
    });
  });
}
