// Small helpers for benchmark reporting: medians, not single runs (BENCHMARKS.md).

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function report(name: string, value: number, unit: string, detail = ""): void {
  console.log(`${name} ${Number(value.toPrecision(4))} ${unit}${detail ? `  (${detail})` : ""}`);
}
