// Finds the line of a key in TOML text by a simple scan, so schema errors can point at a line.
// It understands [table] headers, dotted keys (imap.listen = …) and inline tables (imap = { … }).

const HEADER = /^\s*\[\s*([A-Za-z0-9_.\s"-]+?)\s*\]\s*(#.*)?$/;

/**
 * The 1-based line of `section.key` (or top-level `key` when `section` is ""), or of `section` alone when
 * `key` is undefined; undefined when the scan cannot tell.
 */
export function findKeyLine(text: string, section: string, key?: string): number | undefined {
  const wanted = [section, key ?? ""].filter((part) => part !== "").join(".");
  const within = (path: string): boolean => path === wanted || path.startsWith(`${wanted}.`);
  let table = "";
  let fallback: number | undefined;
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    const header = HEADER.exec(line);
    if (header !== null) {
      table = normalise(header[1] ?? "");
      if (within(table)) return index + 1;
      if (table === section) fallback ??= index + 1;
      continue;
    }
    const assigned = /^\s*([A-Za-z0-9_."\s-]+?)\s*=/.exec(line);
    if (assigned === null) continue;
    const path = [table, normalise(assigned[1] ?? "")].filter((part) => part !== "").join(".");
    if (within(path)) return index + 1;
    // An inline table (imap = { listen = … }) holds the key on the section's own line.
    if (section !== "" && path === section) fallback ??= index + 1;
  }
  return fallback;
}

function normalise(dotted: string): string {
  return dotted
    .split(".")
    .map((part) => part.trim().replace(/^"(.*)"$/, "$1"))
    .join(".");
}
