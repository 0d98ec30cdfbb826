// `npm run corpus -- --out DIR --count N [--distinct N] [--seed N]`: writes the deterministic bench
// corpus as .eml files (DIR/eml) and as a Maildir (DIR/Maildir), so any server can be filled with it.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeCorpusFiles } from "./maildir-writer.js";

const { values } = parseArgs({
  options: {
    out: { type: "string" },
    count: { type: "string" },
    distinct: { type: "string" },
    seed: { type: "string" },
  },
});
if (!values.out) {
  console.error("usage: npm run corpus -- --out DIR --count N [--distinct N] [--seed N]");
  process.exit(2);
}
const out = resolve(values.out);
const messages = Number(values.count ?? 10_000);
const distinct = Math.min(messages, Number(values.distinct ?? 5_000));
const seed = Number(values.seed ?? 2026);
const written = await writeCorpusFiles({
  maildir: `${out}/Maildir`,
  emlDir: `${out}/eml`,
  messages,
  distinct,
  seed,
});
console.log(
  `${written.messages} messages (${distinct} distinct bodies as .eml, seed ${seed}, ${written.planted} with planted tokens, ${(written.totalBytes / 1024 / 1024).toFixed(1)} MB) in ${out}/Maildir and ${out}/eml`,
);
