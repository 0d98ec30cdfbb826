// Runs every compiled test file (dist/**/*.test.js) with Node's built-in test runner.
// Usage: [POSTFACH_TEST_CONCURRENCY=n] node scripts/run-tests.mjs [substring filter ...]
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(path));
    else if (entry.name.endsWith(".test.js")) found.push(path);
  }
  return found;
}

// The longest files (per-file time of a full run, 2 cores), started first: with files in name order one
// of them could start late and run alone at the end while the other worker idles. The rest follow in
// name order. A file missing here is only started later, so the list may lag behind the suite.
const LONGEST_FIRST = [
  "test/import-imap.test.js",
  "test/cli.test.js",
  "test/faults/crash-consistency.test.js",
  "test/schema-upgrade.test.js",
  "test/schema-upgrade-postgres.test.js",
  "test/jmap-push.test.js",
  "test/security-resources.test.js",
  "test/user-rename.test.js",
  "test/scale-out-nodes.test.js",
  "test/jmap-upload-import.test.js",
  "test/graceful-shutdown.test.js",
  "test/lmtp-crash.test.js",
  "test/cli-sieve.test.js",
];
const rank = (file) => {
  const at = LONGEST_FIRST.findIndex((suffix) => file.endsWith(suffix));
  return at < 0 ? LONGEST_FIRST.length : at;
};

const filters = process.argv.slice(2);
const files = ["dist/src", "dist/test"]
  .flatMap((dir) => {
    try {
      return findTests(dir);
    } catch {
      return [];
    }
  })
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort()
  .sort((a, b) => rank(a) - rank(b));

if (files.length === 0) {
  console.error("no test files found under dist/ (did the build run?)");
  process.exit(1);
}
// Two files at a time by default. POSTFACH_TEST_CONCURRENCY=3 was ~15% faster on a quiet machine (a
// quarter of the suite: 62-67 s against 74-80 s; at 2 the tests kept only ~1 core busy, waiting on
// timeouts, PostgreSQL and child processes), but it has not had a full-suite run on a loaded one yet.
const concurrency = Number(process.env.POSTFACH_TEST_CONCURRENCY ?? 2);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error("POSTFACH_TEST_CONCURRENCY must be a whole number of at least 1");
  process.exit(2);
}
const result = spawnSync(process.execPath, ["--test", `--test-concurrency=${concurrency}`, ...files], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
