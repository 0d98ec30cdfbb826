// JMAP push (RFC 8620 §7.3) read with fetch rather than EventSource, because EventSource cannot send the
// bearer token in a header (and a token in the URL would end up in logs). Reconnects with a growing
// delay; every reconnect also reports a change, since events may have been missed meanwhile.
import type { JmapClient } from "./client.js";

export interface PushHandlers {
  /** Some state moved (or may have: after a reconnect). */
  readonly onChange: () => void;
  readonly onStatus: (isConnected: boolean) => void;
  /** The token is no longer accepted: the stream stops. */
  readonly onExpired: () => void;
}

export function openPushStream(client: JmapClient, handlers: PushHandlers): () => void {
  const stop = new AbortController();
  const url = client.session.eventSourceUrl
    .replace("{types}", "*")
    .replace("{closeafter}", "no")
    .replace("{ping}", "30");
  void (async () => {
    let delayMs = 500;
    let isFirst = true;
    while (!stop.signal.aborted) {
      try {
        const response = await fetch(url, {
          headers: { authorization: client.authorization, accept: "text/event-stream" },
          signal: stop.signal,
          cache: "no-store",
        });
        if (response.status === 401) {
          handlers.onExpired();
          return;
        }
        if (!response.ok || response.body === null) throw new Error(`push: HTTP ${response.status}`);
        handlers.onStatus(true);
        if (!isFirst) handlers.onChange();
        isFirst = false;
        delayMs = 500;
        await readEvents(response.body, (event) => {
          if (event === "state") handlers.onChange();
        });
      } catch {
        if (stop.signal.aborted) return;
      }
      handlers.onStatus(false);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, 30_000);
    }
  })();
  return () => stop.abort();
}

/** Calls onEvent with each event's name (the data is not needed: the app refetches what changed). */
async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (name: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let name = "message";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let newline = buffer.search(/\r\n|\r|\n/);
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
      if (line === "") {
        onEvent(name);
        name = "message";
      } else if (line.startsWith("event:")) name = line.slice(6).trim();
      newline = buffer.search(/\r\n|\r|\n/);
    }
  }
}
