// compileSieve: source text → a validated script or the list of errors with line and column
// (RFC 5228 §2.10.6: a script with errors is refused as a whole, before any message meets it).

import type { CompiledSieve } from "./context.js";
import { SUPPORTED_SIEVE_EXTENSIONS } from "./grammar.js";
import { parseScript } from "./parser.js";
import { type SieveError, SieveSyntaxError } from "./sieve-error.js";
import { validateScript } from "./validator.js";

export interface CompileOptions {
  /** Capabilities the script may require (default: all of SUPPORTED_SIEVE_EXTENSIONS). */
  readonly extensions?: ReadonlySet<string>;
  /** Largest accepted source in UTF-8 octets (ManageSieve's MAXSCRIPTSIZE); default 1 MiB. */
  readonly maxSize?: number;
}

export type CompileResult =
  | { readonly ok: true; readonly script: CompiledSieve }
  | { readonly ok: false; readonly errors: readonly SieveError[] };

export const DEFAULT_MAX_SCRIPT_BYTES = 1024 * 1024;
const ALL_EXTENSIONS: ReadonlySet<string> = new Set(SUPPORTED_SIEVE_EXTENSIONS);

/** Compiles a script; never throws. */
export function compileSieve(source: string, options: CompileOptions = {}): CompileResult {
  const maxSize = options.maxSize ?? DEFAULT_MAX_SCRIPT_BYTES;
  const size = Buffer.byteLength(source, "utf8");
  if (size > maxSize) {
    return {
      ok: false,
      errors: [{ line: 1, column: 1, message: `script is ${size} octets, more than the ${maxSize} allowed` }],
    };
  }
  try {
    const nodes = parseScript(source);
    const { commands, required, errors } = validateScript(nodes, options.extensions ?? ALL_EXTENSIONS);
    if (errors.length > 0) return { ok: false, errors };
    return { ok: true, script: { commands, required } };
  } catch (error) {
    if (error instanceof SieveSyntaxError) return { ok: false, errors: [error.toSieveError()] };
    throw error;
  }
}
