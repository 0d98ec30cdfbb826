// The two-server side of the benchmarks (`--vs-dovecot`): runs a measurement on each target in turn
// (Postfach, Dovecot, Postfach, Dovecot…) so machine drift hits both alike, reports both medians with
// the ratio, and appends the figure as a JSON line to the results file run-all.ts collects.
import { appendFileSync } from "node:fs";
import { median, report } from "./stats.js";

export type TargetName = "postfach" | "dovecot";

export interface Figure {
  readonly scenario: string;
  readonly unit: string;
  /** True for rates (MB/s, messages/s), false for times and sizes. */
  readonly isHigherBetter: boolean;
  readonly postfach: number;
  readonly dovecot?: number;
  readonly runs: number;
  readonly detail: string;
}

/** Ratio > 1 means Postfach is faster (or smaller): dovecot/postfach for times, postfach/dovecot for rates. */
export function ratioOf(figure: Figure): number | undefined {
  if (figure.dovecot === undefined) return undefined;
  return figure.isHigherBetter ? figure.postfach / figure.dovecot : figure.dovecot / figure.postfach;
}

/** Runs `measure` `runs` times on each target, alternating, and returns each target's values. */
export async function alternate<T extends { readonly name: TargetName }>(
  targets: readonly T[],
  runs: number,
  measure: (target: T, run: number) => Promise<number>,
): Promise<Map<TargetName, number[]>> {
  const values = new Map<TargetName, number[]>(targets.map((t) => [t.name, []]));
  for (let run = 0; run < runs; run++) {
    for (const target of targets) values.get(target.name)?.push(await measure(target, run));
  }
  return values;
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
  const figure: Figure = {
    scenario,
    unit,
    isHigherBetter,
    postfach: median(postfachValues),
    ...(dovecotValues ? { dovecot: median(dovecotValues) } : {}),
    runs: postfachValues.length,
    detail,
  };
  const ratio = ratioOf(figure);
  if (figure.dovecot === undefined || ratio === undefined) {
    report(scenario, figure.postfach, unit, `${detail}, median of ${figure.runs}`);
  } else {
    const shown = (v: number) => Number(v.toPrecision(4));
    console.log(
      `${scenario} postfach ${shown(figure.postfach)} ${unit} | dovecot ${shown(figure.dovecot)} ${unit} | ratio ${ratio.toFixed(2)}  (${detail}, medians of ${figure.runs}, alternated)`,
    );
  }
  if (resultsFile) appendFileSync(resultsFile, `${JSON.stringify(figure)}\n`);
}
