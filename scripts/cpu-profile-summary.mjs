// Sums the self time of a `node --cpu-prof` profile by function (name, file and line) and prints the
// top entries with their share of the samples. Usage:
//   node scripts/cpu-profile-summary.mjs [--after FUNCTION] [--top N] FILE...
// `--after fetch` counts only from the first sample whose stack holds a function of that name (leaving
// out start-up and login); several files add up. Used to profile the server under the benchmarks
// (docs/performance.md).
import { readFileSync } from "node:fs";

const files = [];
let after = null;
let top = 40;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--after") after = args[++i];
  else if (args[i] === "--top") top = Number(args[++i]);
  else files.push(args[i]);
}
const selfUs = new Map();
let totalUs = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const hasInStack = (id) => {
    for (let at = id; at !== undefined; at = parentOf.get(at)) {
      if (nodeById.get(at).callFrame.functionName === after) return true;
    }
    return false;
  };
  let isCounting = after === null;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    if (!isCounting && hasInStack(id)) isCounting = true;
    if (!isCounting) continue;
    const { functionName, url, lineNumber } = nodeById.get(id).callFrame;
    const us = profile.timeDeltas[i + 1] ?? 0;
    const where =
      url === "" ? "" : ` ${url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, "$1/")}:${lineNumber + 1}`;
    const key = `${functionName || "(anonymous)"}${where}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + us);
    totalUs += us;
  }
}
const idleUs = selfUs.get("(idle)") ?? 0;
console.log(
  `${(totalUs / 1000).toFixed(1)} ms of samples, ${((totalUs - idleUs) / 1000).toFixed(1)} ms not idle`,
);
for (const [key, us] of [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(
    `${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${key}`,
  );
}
