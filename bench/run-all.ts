// `npm run bench`: every scenario of BENCHMARKS.md, each file in its own process, with the same options
// (--only a,b runs only the files reporting those figures); filled mailboxes are shared between them.
// With --vs-dovecot each scenario also runs on Dovecot (alternating the servers); the figures are then
// printed as one table `scenario | postfach | dovecot | ratio` and written to bench/results/<date>.json
// with a chart of the ratios beside it (<date>.svg). With --vs-postgres each scenario runs on Postfach
// with the SQLite store and with the PostgreSQL store (alternated), the table is `scenario | sqlite |
// postgres | ratio` (ratio > 1: PostgreSQL faster) and the files are <date>-postgres[-quick].json/.svg.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseBenchOptions } from "./bench-options.js";
import { FILL_CACHE_ENV } from "./bench-server.js";
import { type Figure, postgresRatioOf, ratioOf } from "./compare.js";
import { requireDovecot } from "./dovecot-server.js";
import { requirePostgres } from "./postgres-schema.js";
import { renderRatioChart } from "./ratio-chart.js";

/** Each scenario file with the figures it reports (for --only), in the order they run. */
const SCENARIO_FILES: readonly { readonly file: string; readonly figures: readonly string[] }[] = [
  {
    file: "imap-bench.js",
    figures: [
      "select_large",
      "fetch_flags_all",
      "fetch_envelope_all",
      ...["search_text_rare", "search_subject", "search_from"].flatMap((s) => [`${s}_first`, `${s}_warm`]),
      "store_all_add",
      "store_all_remove",
      "fetch_body_random_first",
      "fetch_body_random",
    ],
  },
  { file: "pop3-bench.js", figures: ["pop3_retr_all_first", "pop3_retr_all"] },
  { file: "mbsync-bench.js", figures: ["mbsync_initial"] },
  { file: "lmtp-bench.js", figures: ["deliver_lmtp"] },
  { file: "idle-bench.js", figures: ["idle_memory", "idle_memory_10k", "idle_push_p50", "idle_push_p99"] },
  { file: "mixed-bench.js", figures: ["concurrent_mixed"] },
];
const args = process.argv.slice(2);
const options = parseBenchOptions();
if (options.isVsDovecot) requireDovecot();
if (options.isVsPostgres) await requirePostgres();
const resultsFile = join(tmpdir(), `postfach-bench-${process.pid}.jsonl`);
writeFileSync(resultsFile, "");
// Filled data folders shared by the scenario processes of this invocation (see FILL_CACHE_ENV).
const fillCache = mkdtempSync(join(tmpdir(), "postfach-bench-fills-"));
const startedAt = new Date();
let failed = false;
try {
  for (const { file, figures } of SCENARIO_FILES) {
    if (!figures.some((figure) => options.isSelected(figure))) continue;
    const result = spawnSync(
      process.execPath,
      ["--expose-gc", new URL(file, import.meta.url).pathname, ...args, "--results-file", resultsFile],
      { stdio: "inherit", env: { ...process.env, [FILL_CACHE_ENV]: fillCache } },
    );
    if (result.status !== 0) {
      console.error(`${file} failed (exit ${result.status ?? result.signal})`);
      failed = true;
    }
  }
} finally {
  rmSync(fillCache, { recursive: true, force: true });
}
const durationSeconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
console.log(`bench took ${durationSeconds} s`);
const figures = readFileSync(resultsFile, "utf8")
  .split("\n")
  .filter((line) => line !== "")
  .map((line) => JSON.parse(line) as Figure);
rmSync(resultsFile, { force: true });

/** How one comparison shows: its column names, its ratio, and how its files and chart are named. */
interface Comparison {
  readonly columns: readonly [string, string];
  readonly otherOf: (figure: Figure) => number | undefined;
  readonly ratioOf: (figure: Figure) => number | undefined;
  readonly ratioMeaning: string;
  readonly fileSuffix: string;
  readonly chartTitle: string;
  readonly fasterLabel: string;
}
const comparison: Comparison | undefined = options.isVsDovecot
  ? {
      columns: ["postfach", "dovecot"],
      otherOf: (f) => f.dovecot,
      ratioOf,
      ratioMeaning: "ratio > 1: Postfach faster (dovecot/postfach for times, postfach/dovecot for rates)",
      fileSuffix: "",
      chartTitle: `Postfach vs Dovecot 2.3, ${startedAt.toISOString()}`,
      fasterLabel: "Postfach",
    }
  : options.isVsPostgres
    ? {
        columns: ["sqlite", "postgres"],
        otherOf: (f) => f.postgres,
        ratioOf: postgresRatioOf,
        ratioMeaning:
          "ratio > 1: the PostgreSQL store faster (sqlite/postgres for times, postgres/sqlite for rates)",
        fileSuffix: "-postgres",
        chartTitle: `Postfach on PostgreSQL vs on SQLite, ${startedAt.toISOString()}`,
        fasterLabel: "PostgreSQL",
      }
    : undefined;

if (comparison) {
  const shown = (value: number | undefined, unit: string) =>
    value === undefined ? "–" : `${Number(value.toPrecision(3))} ${unit}`;
  const rows = figures.map((f) => {
    const ratio = comparison.ratioOf(f);
    return `| ${f.scenario} | ${shown(f.postfach, f.unit)} | ${shown(comparison.otherOf(f), f.unit)} | ${ratio === undefined ? "–" : ratio.toFixed(2)} |`;
  });
  const [left, right] = comparison.columns;
  console.log(["", `| scenario | ${left} | ${right} | ratio |`, "|---|---|---|---|", ...rows].join("\n"));
  console.log(comparison.ratioMeaning);
  const resultsDir = new URL("../../bench/results/", import.meta.url).pathname;
  mkdirSync(resultsDir, { recursive: true });
  // One file per run (minute of its start), so a run never overwrites the results a document cites.
  const minute = startedAt.toISOString().slice(0, 16).replace(":", "");
  const path = join(resultsDir, `${minute}${comparison.fileSuffix}${options.isQuick ? "-quick" : ""}.json`);
  writeFileSync(
    path,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        durationSeconds,
        args,
        machine: {
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model ?? "unknown",
          loadAverage: loadavg(),
          node: process.version,
        },
        isComplete: !failed,
        // What the figures' `postfach` and other field hold (with --vs-postgres: `postfach` is SQLite).
        columns: comparison.columns,
        figures: figures.map((f) => ({ ...f, ratio: comparison.ratioOf(f) })),
      },
      null,
      2,
    )}\n`,
  );
  const chartPath = path.replace(/\.json$/, ".svg");
  writeFileSync(
    chartPath,
    renderRatioChart(
      figures.map((f) => {
        const ratio = comparison.ratioOf(f);
        return { scenario: f.scenario, ...(ratio === undefined ? {} : { ratio }) };
      }),
      comparison.chartTitle,
      comparison.fasterLabel,
    ),
  );
  console.log(`written to ${path} and ${chartPath}`);
}
process.exitCode = failed ? 1 : 0;
