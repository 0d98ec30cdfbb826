// Checks the layer rules of ARCHITECTURE.md on every import in src/: each layer imports only the layers
// below it; wire code and mime import nothing with I/O; protocols never import a backend or each other;
// only src/main.ts and src/services.ts (the composition root) pick a store backend. Test files (*.test.ts) may import any backend.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve("src");
// layer → layers it may import (besides itself). "store" means the interfaces only (store/mail-store.ts);
// "store/*" means any store module (backends).
const ALLOWED = {
  kit: [],
  mime: ["kit"],
  config: ["kit"],
  store: ["kit", "mime"],
  sieve: ["kit", "mime"],
  mail: ["kit", "mime", "store", "sieve"],
  auth: ["kit", "mail", "store"],
  net: ["kit"],
  imap: ["kit", "mime", "mail", "auth", "net", "store"],
  pop3: ["kit", "mime", "mail", "auth", "net", "store"],
  smtp: ["kit", "mime", "mail", "auth", "net", "store", "sieve"],
  managesieve: ["kit", "mime", "mail", "auth", "net", "store", "sieve"],
  // The outbound sender: an SMTP client draining the queue; mail/ for DSN delivery, net/ for DNS.
  outbound: ["kit", "mime", "mail", "net", "store"],
  jmap: ["kit", "mime", "mail", "auth", "store", "sieve"],
  http: ["kit", "mail", "auth", "net", "jmap", "store"],
  admin: ["kit", "mime", "mail", "auth", "config", "store", "sieve"],
  cli: ["kit", "admin", "config", "main", "store"],
  bench: ["*"],
  main: ["*"],
};
const IO_MODULES =
  /^(node:)?(fs|fs\/promises|net|tls|http|https|http2|child_process|dgram|dns|worker_threads|cluster)$|^(better-sqlite3|pg|pino)$/;
const PURE = [
  /^mime\//,
  /^sieve\//,
  /^imap\/wire\//,
  /^pop3\/wire\//,
  /^smtp\/wire\//,
  /^managesieve\/wire\//,
  /^kit\//,
];

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

function layerOf(relPath) {
  if (/^(main|services)\.[jt]s$/.test(relPath)) return "main";
  return relPath.split("/")[0];
}

const problems = [];
for (const file of walk(SRC)) {
  const rel = relative(SRC, file);
  const isTest = rel.endsWith(".test.ts");
  const layer = layerOf(rel);
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\("([^"]+)"\)/g)].map(
    (m) => m[1] ?? m[2],
  );
  for (const spec of specs) {
    // kit/ids.ts may use node:crypto for randomness; that is not I/O in the sense of the rule.
    if (!spec.startsWith(".")) {
      if (PURE.some((re) => re.test(rel)) && IO_MODULES.test(spec) && !isTest) {
        problems.push(`${rel}: pure module imports I/O module "${spec}"`);
      }
      continue;
    }
    const target = relative(SRC, resolve(dirname(file), spec));
    if (target.startsWith("..")) continue;
    const targetLayer = layerOf(target);
    if (targetLayer === layer) continue;
    if (isTest) continue;
    const allowed = ALLOWED[layer];
    if (!allowed) {
      problems.push(`${rel}: layer "${layer}" is not listed in scripts/check-layers.mjs`);
      continue;
    }
    if (allowed.includes("*")) continue;
    if (!allowed.includes(targetLayer)) {
      problems.push(`${rel}: layer "${layer}" must not import "${target}" (layer "${targetLayer}")`);
      continue;
    }
    if (targetLayer === "store" && layer !== "store" && !target.startsWith("store/mail-store")) {
      problems.push(`${rel}: only src/main.ts and src/services.ts may import a store backend ("${target}")`);
    }
  }
}

if (problems.length > 0) {
  console.error(`layer rules broken (ARCHITECTURE.md):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log("layer rules hold");
