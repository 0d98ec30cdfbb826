// `npm run bench`: every scenario implemented so far, each in its own process, with the same options.
import { spawnSync } from "node:child_process";

const SCENARIO_FILES = ["imap-bench.js", "pop3-bench.js", "lmtp-bench.js", "idle-bench.js"];
const args = process.argv.slice(2);
let failed = false;
for (const file of SCENARIO_FILES) {
  const result = spawnSync(process.execPath, [new URL(file, import.meta.url).pathname, ...args], {
    stdio: "inherit",
  });
  if (result.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
