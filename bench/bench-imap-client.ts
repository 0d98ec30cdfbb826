// A minimal, fast IMAP client for benchmarks: sends commands and reads responses literal-aware, counting
// untagged responses by kind without building objects per message, so the client costs little next to
// the server it measures.
import { connect, type Socket } from "node:net";

export interface CommandResult {
  readonly status: string;
  /** Untagged responses by their keyword after the number, e.g. FETCH, EXISTS; SEARCH lines by name. */
  readonly untagged: Map<string, number>;
  /** The untagged lines (without literals) when `keepLines` was asked for. */
  readonly lines: string[];
  /** Bytes of literal data received. */
  readonly literalBytes: number;
}

const CRLF = Buffer.from("\r\n");
const ASTERISK = 0x2a;
const SPACE = 0x20;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACE = 0x7b;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** The size of the literal `{n}` a line announces just before its CR at `crAt`; -1 if it announces none. */
function literalSizeBefore(buffer: Buffer, crAt: number): number {
  if (buffer[crAt - 1] !== CLOSE_BRACE) return -1;
  let size = 0;
  let scale = 1;
  let at = crAt - 2;
  for (; at >= 0 && (buffer[at] as number) >= DIGIT_0 && (buffer[at] as number) <= DIGIT_9; at--) {
    size += ((buffer[at] as number) - DIGIT_0) * scale;
    scale *= 10;
  }
  return at < crAt - 2 && buffer[at] === OPEN_BRACE ? size : -1;
}

/** Whether the `length` bytes at `a` and at `b` of `buffer` are the same. */
function sameBytes(buffer: Buffer, a: number, length: number, b: number, otherLength: number): boolean {
  if (length !== otherLength) return false;
  for (let i = 0; i < length; i++) if (buffer[a + i] !== buffer[b + i]) return false;
  return true;
}

export class BenchImapClient {
  #buffer: Buffer = Buffer.alloc(0);
  #wake: (() => void) | null = null;
  #closed = false;
  #tag = 0;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#wake?.();
    });
  }

  static async connect(port: number): Promise<BenchImapClient> {
    const socket = connect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const client = new BenchImapClient(socket);
    await client.#readLine();
    return client;
  }

  async #more(): Promise<void> {
    if (this.#closed) throw new Error("connection closed");
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
    this.#wake = null;
  }

  async #readLine(): Promise<string> {
    for (;;) {
      const line = this.#bufferedLine();
      if (line !== null) return line;
      await this.#more();
    }
  }

  /**
   * Counts the untagged responses at the head of the buffer by kind (FETCH, EXISTS…) in one pass over
   * their bytes, stepping over their literals: a resync's 100,000 lines or a download's bodies are
   * counted without a string, a Buffer view or an await each (a view and a string per line made the
   * client's parse the resync's pace for either server). Stops at the first response it cannot count
   * so: tagged, a continuation, or one not received whole. Returns the literal bytes stepped over.
   */
  #countBufferedUntagged(untagged: Map<string, number>): number {
    const buffer = this.#buffer;
    const length = buffer.length;
    let at = 0;
    let literalBytes = 0;
    let kind: string | null = null;
    let kindStart = 0;
    let kindLength = 0;
    let count = 0;
    while (buffer[at] === ASTERISK && buffer[at + 1] === SPACE) {
      // The response's lines, joined across its literals, each literal received whole.
      let firstLineEnd = -1;
      let responseEnd = -1;
      let responseLiterals = 0;
      for (let scan = at + 2; ; ) {
        let end = scan;
        while (end < length && buffer[end] !== LINE_FEED) end++;
        if (end >= length || buffer[end - 1] !== CARRIAGE_RETURN) break;
        if (firstLineEnd === -1) firstLineEnd = end;
        const size = literalSizeBefore(buffer, end - 1);
        if (size < 0) {
          responseEnd = end;
          break;
        }
        if (end + 1 + size > length) break;
        responseLiterals += size;
        scan = end + 1 + size;
      }
      if (responseEnd === -1) break;
      let start = at + 2;
      let word = start;
      while (
        word < firstLineEnd &&
        (buffer[word] as number) >= DIGIT_0 &&
        (buffer[word] as number) <= DIGIT_9
      )
        word++;
      if (word > start && buffer[word] === SPACE) start = word + 1;
      let wordEnd = start;
      while (wordEnd < firstLineEnd - 1 && buffer[wordEnd] !== SPACE) wordEnd++;
      if (kind === null || !sameBytes(buffer, start, wordEnd - start, kindStart, kindLength)) {
        if (kind !== null) untagged.set(kind, (untagged.get(kind) ?? 0) + count);
        kind = buffer.toString("latin1", start, wordEnd);
        count = 0;
      }
      kindStart = start;
      kindLength = wordEnd - start;
      count++;
      literalBytes += responseLiterals;
      at = responseEnd + 1;
    }
    if (kind !== null) untagged.set(kind, (untagged.get(kind) ?? 0) + count);
    if (at > 0) this.#buffer = buffer.subarray(at);
    return literalBytes;
  }

  /** The next line if it is buffered whole: lines already received are read without an await each. */
  #bufferedLine(): string | null {
    const end = this.#buffer.indexOf(CRLF);
    if (end < 0) return null;
    const line = this.#buffer.subarray(0, end).toString("latin1");
    this.#buffer = this.#buffer.subarray(end + 2);
    return line;
  }

  async #skip(bytes: number): Promise<void> {
    let left = bytes;
    for (;;) {
      const take = Math.min(left, this.#buffer.length);
      this.#buffer = this.#buffer.subarray(take);
      left -= take;
      if (left === 0) return;
      await this.#more();
    }
  }

  /** Sends several commands at once (pipelining) and reads all their replies. */
  async pipeline(commands: readonly string[], keepLines = false): Promise<CommandResult[]> {
    const tags = commands.map(() => `b${++this.#tag}`);
    this.socket.write(commands.map((command, i) => `${tags[i]} ${command}\r\n`).join(""));
    const results: CommandResult[] = [];
    for (const tag of tags) results.push(await this.#readReply(tag, keepLines));
    return results;
  }

  /** APPEND with a synchronizing literal (RFC 9051 §6.3.12): the bytes go after the server's "+". */
  async append(mailbox: string, message: Uint8Array, keepLines = false): Promise<CommandResult> {
    const tag = `b${++this.#tag}`;
    this.socket.write(`${tag} APPEND ${mailbox} {${message.length}}\r\n`);
    const refused = await this.#readReply(tag, keepLines, true);
    if (refused.status !== "+") return refused;
    this.socket.write(message);
    this.socket.write(CRLF);
    const result = await this.#readReply(tag, keepLines);
    return { ...result, lines: [...refused.lines, ...result.lines] };
  }

  /**
   * Reads untagged responses up to `tag`'s completion (or, with `untilContinuation`, up to a "+"
   * continuation request, returned as status "+").
   */
  async #readReply(tag: string, keepLines: boolean, untilContinuation = false): Promise<CommandResult> {
    const untagged = new Map<string, number>();
    const lines: string[] = [];
    let literalBytes = 0;
    for (;;) {
      if (!keepLines) literalBytes += this.#countBufferedUntagged(untagged);
      let line = this.#bufferedLine() ?? (await this.#readLine());
      // A line may continue after literals: `* 1 FETCH (BODY[] {42}` CRLF <42 bytes> `)` CRLF.
      while (line.endsWith("}")) {
        const literal = /\{(\d+)\}$/.exec(line);
        if (!literal) break;
        const size = Number(literal[1]);
        literalBytes += size;
        if (this.#buffer.length >= size) this.#buffer = this.#buffer.subarray(size);
        else await this.#skip(size);
        line += this.#bufferedLine() ?? (await this.#readLine());
      }
      if (line.startsWith("* ")) {
        const words = line.split(" ", 3);
        const kind = /^\d+$/.test(words[1] ?? "") ? (words[2] ?? "") : (words[1] ?? "");
        untagged.set(kind, (untagged.get(kind) ?? 0) + 1);
        if (keepLines) lines.push(line);
        continue;
      }
      if (untilContinuation && line.startsWith("+")) return { status: "+", untagged, lines, literalBytes };
      if (line.startsWith(`${tag} `))
        return { status: line.slice(tag.length + 1), untagged, lines, literalBytes };
    }
  }

  async command(command: string, keepLines = false): Promise<CommandResult> {
    const [result] = await this.pipeline([command], keepLines);
    return result as CommandResult;
  }

  close(): void {
    this.socket.destroy();
  }
}
