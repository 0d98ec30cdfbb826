// When to try a queued recipient again (RFC 5321 §4.5.4.1): the configured intervals in order, the last
// one repeating, until the queue lifetime is over and the message is returned to its sender.

/** "300,900,1800" → [300000, 900000, 1800000]; the config schema has checked the text. */
export function parseRetrySchedule(text: string): number[] {
  return text.split(",").map((part) => Number(part.trim()) * 1000);
}

/** The wait after the `attempts`-th failed attempt (1 = the first). */
export function retryDelayMs(scheduleMs: readonly number[], attempts: number): number {
  const index = Math.min(Math.max(attempts, 1), scheduleMs.length) - 1;
  return scheduleMs[index] ?? 60_000;
}
