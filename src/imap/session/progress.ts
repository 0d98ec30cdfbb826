// Progress of long commands (RFC 9585 INPROGRESS): COPY, MOVE, STORE and EXPUNGE over many messages work
// in chunks of CHUNK_MESSAGES, one store transaction each, and between chunks the client hears
// `* OK [INPROGRESS ("tag" done total)]` at most once per [imap] progress_interval_ms. Chunks are what
// lets the untagged response out at all: the SQLite store holds the event loop for a whole transaction.
import type { CommandContext } from "./command-context.js";

/** Messages per store transaction for commands that report progress. */
export const CHUNK_MESSAGES = 1000;

/**
 * Runs `work` over `items` in chunks (one chunk when they fit), reporting progress under `tag` between
 * chunks once `progressIntervalMs` has passed since the command started or the last report.
 */
export async function inChunks<T>(
  ctx: CommandContext,
  tag: string,
  items: readonly T[],
  work: (chunk: readonly T[]) => Promise<void>,
): Promise<void> {
  const intervalMs = ctx.services.progressIntervalMs;
  let lastReportMs = Date.now();
  for (let done = 0; done < items.length; done += CHUNK_MESSAGES) {
    await work(items.slice(done, done + CHUNK_MESSAGES));
    const doneNow = Math.min(items.length, done + CHUNK_MESSAGES);
    if (doneNow < items.length && Date.now() - lastReportMs >= intervalMs) {
      await ctx.send({
        kind: "condition",
        status: "OK",
        code: { kind: "INPROGRESS", tag, count: doneNow, total: items.length },
        text: "Still working",
      });
      lastReportMs = Date.now();
    }
  }
}
