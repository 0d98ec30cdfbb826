// Shared knobs of the fuzz tests: a fixed seed and bounded runs (FUZZ_RUNS / FUZZ_SEED to go longer or
// elsewhere), and the regression corpus under test/fixtures/fuzz-regressions/<target>/ (see its README).
import { readdirSync, readFileSync } from "node:fs";

const CORPUS = new URL("../../../test/fixtures/fuzz-regressions/", import.meta.url);

/** One saved input: the file name (for the failure message) and its bytes. */
export interface CorpusEntry {
  readonly name: string;
  readonly bytes: Buffer;
}

/** fast-check parameters: `defaultRuns` unless FUZZ_RUNS is set, the fixed seed unless FUZZ_SEED is. */
export function fuzzParameters(defaultRuns: number): { numRuns: number; seed: number } {
  const runs = Number(process.env.FUZZ_RUNS);
  const seed = Number(process.env.FUZZ_SEED);
  return {
    numRuns: Number.isInteger(runs) && runs > 0 ? runs : defaultRuns,
    seed: Number.isInteger(seed) ? seed : 20261126,
  };
}

/** Every `.bin` and `.txt` file of one target's corpus folder, sorted by name. */
export function loadCorpus(target: string): CorpusEntry[] {
  const folder = new URL(`${target}/`, CORPUS);
  return readdirSync(folder)
    .filter((name) => name.endsWith(".bin") || name.endsWith(".txt"))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(new URL(name, folder)) }));
}

/** Cuts `bytes` at the given offsets (taken modulo its length), as a network would. */
export function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  if (bytes.length === 0) return [bytes];
  const points = [...new Set(cuts.map((cut) => cut % bytes.length))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}
