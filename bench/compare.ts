// The two-server side of the benchmarks (`--vs-dovecot`, `--vs-postgres`): runs a measurement on each
// target in turn (Postfach, Dovecot, Postfach, Dovecot…) so machine drift hits both alike, reports both
// medians with the ratio, and appends the figure as a JSON line to the results file run-all.ts collects.
import { appendFileSync } from "node:fs";
import { median, report } from "./stats.js";

/** "postfach" is Postfach on its default SQLite store; "postgres" is Postfach on the PostgreSQL store. */
export type TargetName = "postfach" | "dovecot" | "postgres";

export interface Figure {
  readonly scenario: string;
  readonly unit: string;
  /** True for rates (MB/s, messages/s), false for times and sizes. */
  readonly isHigherBetter: boolean;
  readonly postfach: number;
  readonly dovecot?: number;
  readonly postgres?: number;
  readonly runs: number;
  readonly detail: string;
}

/** Ratio > 1 means Postfach is faster (or smaller): dovecot/postfach for times, postfach/dovecot for rates. */
export function ratioOf(figure: Figure): number | undefined {
  if (figure.dovecot === undefined) return undefined;
  return figure.isHigherBetter ? figure.postfach / figure.dovecot : figure.dovecot / figure.postfach;
}

/**
 * Ratio > 1 means the PostgreSQL store is faster than the SQLite one: sqlite/postgres for times,
 * postgres/sqlite for rates.
 */
export function postgresRatioOf(figure: Figure): number | undefined {
  if (figure.postgres === undefined) return undefined;
  return figure.isHigherBetter ? figure.postgres / figure.postfach : figure.postfach / figure.postgres;
}

/** Runs `measure` `runs` times on each target, alternating, and returns each target's values. */
export async function alternate<T extends { readonly name: TargetName }>(
  targets: readonly T[],
  runs: number,
  measure: (target: T, run: number) => Promise<number>,
): Promise<Map<TargetName, number[]>> {
  const values = new Map<TargetName, number[]>(targets.map((t) => [t.name, []]));
  for (let run = 0; run < runs; run++) {
    for (const target of targets) {
      collectOwnGarbage();
      values.get(target.name)?.push(await measure(target, run));
    }
  }
  return values;
}

/**
 * Collects the bench process's own garbage before a measured run (run-all.ts starts the scenario files
 * with --expose-gc): a scenario process holds what it generated and parsed before (a corpus, a listing's
 * 62 MB), and a full collection of it otherwise lands in whichever run comes next, in that run's wall
 * time and client CPU (a resync's client CPU was 46–91 ms in some runs and 15 in the others).
 */
function collectOwnGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Prints the figure (as `name value unit` for Postfach alone) and records it for run-all.ts. */
export function reportFigure(
  scenario: string,
  unit: string,
  isHigherBetter: boolean,
  values: Map<TargetName, number[]>,
  detail: string,
  resultsFile: string | undefined,
): void {
  const postfachValues = values.get("postfach") ?? [];
  const dovecotValues = values.get("dovecot");
  const postgresValues = values.get("postgres");
  const figure: Figure = {
    scenario,
    unit,
    isHigherBetter,
    postfach: median(postfachValues),
    ...(dovecotValues ? { dovecot: median(dovecotValues) } : {}),
    ...(postgresValues ? { postgres: median(postgresValues) } : {}),
    runs: postfachValues.length,
    detail,
  };
  const shown = (v: number) => Number(v.toPrecision(4));
  const alternated = `(${detail}, medians of ${figure.runs}, alternated)`;
  const ratio = ratioOf(figure);
  const postgresRatio = postgresRatioOf(figure);
  if (figure.dovecot !== undefined && ratio !== undefined) {
    console.log(
      `${scenario} postfach ${shown(figure.postfach)} ${unit} | dovecot ${shown(figure.dovecot)} ${unit} | ratio ${ratio.toFixed(2)}  ${alternated}`,
    );
  } else if (figure.postgres !== undefined && postgresRatio !== undefined) {
    console.log(
      `${scenario} sqlite ${shown(figure.postfach)} ${unit} | postgres ${shown(figure.postgres)} ${unit} | ratio ${postgresRatio.toFixed(2)}  ${alternated}`,
    );
  } else {
    report(scenario, figure.postfach, unit, `${detail}, median of ${figure.runs}`);
  }
  if (resultsFile) appendFileSync(resultsFile, `${JSON.stringify(figure)}\n`);
}

/**
 * Prints each target's median server CPU (user + system, from /proc) per `per` units of work, e.g. per
 * message: a figure the machine's load moves much less than wall-clock time (see bench/process-cpu.ts).
 */
export function reportServerCpuPer(scenario: string, cpuMs: Map<TargetName, number[]>, per: string): void {
  const parts = [...cpuMs]
    .filter(([, values]) => values.length > 0)
    .map(
      ([name, values]) =>
        `${name} ${Number(median(values).toPrecision(3))} ms (${values.map((v) => Number(v.toPrecision(3))).join(", ")})`,
    );
  if (parts.length > 0) console.log(`${scenario} server CPU per ${per}: ${parts.join(" | ")}`);
}
