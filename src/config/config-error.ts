// The one error the configuration loader throws: it names the key and, where known, the file and line,
// so an operator can fix the file without reading code.

/** Where a bad value came from: a config file (with a line when it could be found) or a variable. */
export type ConfigSource =
  | { readonly kind: "file"; readonly path: string; readonly line?: number }
  | { readonly kind: "env"; readonly variable: string };

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** Dotted TOML key such as "imap.listen"; empty for file-level problems (unreadable, bad syntax). */
  readonly key: string;
  readonly source: ConfigSource | undefined;
  /** The problem alone, without key and location. */
  readonly reason: string;

  constructor(key: string, reason: string, source?: ConfigSource, options?: { cause?: unknown }) {
    super(formatConfigProblem(key, reason, source), options);
    this.key = key;
    this.reason = reason;
    this.source = source;
  }

  get file(): string | undefined {
    return this.source?.kind === "file" ? this.source.path : undefined;
  }

  get line(): number | undefined {
    return this.source?.kind === "file" ? this.source.line : undefined;
  }
}

function formatConfigProblem(key: string, reason: string, source: ConfigSource | undefined): string {
  let where = "";
  if (source?.kind === "file")
    where = source.line === undefined ? source.path : `${source.path}:${source.line}`;
  if (source?.kind === "env") where = `environment variable ${source.variable}`;
  const parts = [where, key].filter((part) => part !== "");
  return parts.length === 0 ? reason : `${parts.join(": ")}: ${reason}`;
}
