// A text/event-stream reader over node:http (WHATWG HTML §9.2 event stream format) for JMAP push tests:
// it opens the stream with Basic credentials, splits it into events, stamps each with its arrival time
// and hands them out in order; `ended` resolves when the server closes the response cleanly.
import { request } from "node:http";

export interface StreamEvent {
  readonly event: string;
  readonly data: string;
  /** performance.now() when the event's last line arrived. */
  readonly atMs: number;
}

export class EventSourceReader {
  readonly #events: StreamEvent[] = [];
  readonly #waiters: ((event: StreamEvent) => void)[] = [];
  #buffer = "";

  private constructor(
    readonly status: number,
    readonly contentType: string,
    private readonly abortController: AbortController,
    /** Resolves with "end" when the server ended the response, "error" when the connection broke. */
    readonly ended: Promise<"end" | "error">,
    readonly body: () => string,
  ) {}

  /** Opens the stream; resolves once the response headers arrived (the server is subscribed by then). */
  static open(url: string, authorization: string): Promise<EventSourceReader> {
    const abortController = new AbortController();
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          headers: { authorization, accept: "text/event-stream" },
          signal: abortController.signal,
        },
        (res) => {
          let raw = "";
          let onText: (text: string) => void = () => {};
          const ended = new Promise<"end" | "error">((settle) => {
            res.once("end", () => settle("end"));
            res.once("error", () => settle("error"));
            res.once("aborted", () => settle("error"));
          });
          const reader = new EventSourceReader(
            res.statusCode ?? 0,
            String(res.headers["content-type"] ?? ""),
            abortController,
            ended,
            () => raw,
          );
          onText = (text) => reader.#feed(text);
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            raw += chunk;
            onText(chunk);
          });
          resolve(reader);
        },
      );
      req.once("error", reject);
      req.end();
    });
  }

  #feed(text: string): void {
    this.#buffer += text.replace(/\r\n?/g, "\n");
    for (let end = this.#buffer.indexOf("\n\n"); end >= 0; end = this.#buffer.indexOf("\n\n")) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
      if (data.length === 0) continue;
      const parsed: StreamEvent = { event, data: data.join("\n"), atMs: performance.now() };
      const waiter = this.#waiters.shift();
      if (waiter) waiter(parsed);
      else this.#events.push(parsed);
    }
  }

  /** The next event, or a rejection after `timeoutMs`. */
  next(timeoutMs = 5000): Promise<StreamEvent> {
    const queued = this.#events.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(new Error(`no event within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (event: StreamEvent): void => {
        clearTimeout(timer);
        resolve(event);
      };
      this.#waiters.push(waiter);
    });
  }

  /** Events received and not yet taken. */
  get pending(): number {
    return this.#events.length;
  }

  close(): void {
    this.abortController.abort();
  }
}
