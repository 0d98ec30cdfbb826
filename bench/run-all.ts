// `npm run bench`: every scenario implemented so far, each in its own process, with the same options.
// With --vs-dovecot each scenario also runs on Dovecot (alternating the servers); the figures are then
// printed as one table `scenario | postfach | dovecot | ratio` and written to bench/results/<date>.json
// with a chart of the ratios beside it (<date>.svg).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type Figure, ratioOf } from "./compare.js";
import { requireDovecot } from "./dovecot-server.js";
import { renderRatioChart } from "./ratio-chart.js";

const SCENARIO_FILES = ["imap-bench.js", "pop3-bench.js", "lmtp-bench.js", "idle-bench.js"];
const args = process.argv.slice(2);
const isVsDovecot = args.includes("--vs-dovecot");
if (isVsDovecot) requireDovecot();
const resultsFile = join(tmpdir(), `postfach-bench-${process.pid}.jsonl`);
writeFileSync(resultsFile, "");
const startedAt = new Date();
let failed = false;
for (const file of SCENARIO_FILES) {
  const result = spawnSync(
    process.execPath,
    [new URL(file, import.meta.url).pathname, ...args, "--results-file", resultsFile],
    { stdio: "inherit" },
  );
  if (result.status !== 0) {
    console.error(`${file} failed (exit ${result.status ?? result.signal})`);
    failed = true;
  }
}
const figures = readFileSync(resultsFile, "utf8")
  .split("\n")
  .filter((line) => line !== "")
  .map((line) => JSON.parse(line) as Figure);
rmSync(resultsFile, { force: true });

if (isVsDovecot) {
  const shown = (value: number | undefined, unit: string) =>
    value === undefined ? "–" : `${Number(value.toPrecision(3))} ${unit}`;
  const rows = figures.map((f) => {
    const ratio = ratioOf(f);
    return `| ${f.scenario} | ${shown(f.postfach, f.unit)} | ${shown(f.dovecot, f.unit)} | ${ratio === undefined ? "–" : ratio.toFixed(2)} |`;
  });
  console.log(["", "| scenario | postfach | dovecot | ratio |", "|---|---|---|---|", ...rows].join("\n"));
  console.log("ratio > 1: Postfach faster (dovecot/postfach for times, postfach/dovecot for rates)");
  const resultsDir = new URL("../../bench/results/", import.meta.url).pathname;
  mkdirSync(resultsDir, { recursive: true });
  const day = startedAt.toISOString().slice(0, 10);
  const path = join(resultsDir, `${day}${args.includes("--quick") ? "-quick" : ""}.json`);
  writeFileSync(
    path,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        args,
        machine: {
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model ?? "unknown",
          loadAverage: loadavg(),
          node: process.version,
        },
        isComplete: !failed,
        figures: figures.map((f) => ({ ...f, ratio: ratioOf(f) })),
      },
      null,
      2,
    )}\n`,
  );
  const chartPath = path.replace(/\.json$/, ".svg");
  writeFileSync(
    chartPath,
    renderRatioChart(
      figures.map((f) => ({
        scenario: f.scenario,
        ...(ratioOf(f) === undefined ? {} : { ratio: ratioOf(f) as number }),
      })),
      `Postfach vs Dovecot 2.3, ${startedAt.toISOString()}`,
    ),
  );
  console.log(`written to ${path} and ${chartPath}`);
}
process.exitCode = failed ? 1 : 0;
