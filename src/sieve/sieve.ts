// Sieve mail filtering (RFC 5228) as pure code: compileSieve checks a script and reports errors with line and
// column; runSieve runs a compiled script against one message and returns the actions for the caller to take.
// No I/O here: the caller supplies the message, envelope, clock, mailbox lookups and included scripts
// through SieveContext, performs the actions, and keeps the message in INBOX when the outcome is an error.
//
//   const compiled = compileSieve(source);            // { ok, script } | { ok: false, errors: [{line, column, message}] }
//   const outcome = await runSieve(compiled.script, { message: sieveMessageFromBytes(raw), envelope: { from, to } });
//   // outcome.ok ? outcome.actions (keep | fileinto | redirect | reject | ereject | discard | vacation) : outcome.error
//
// Extensions: SUPPORTED_SIEVE_EXTENSIONS (for the ManageSieve SIEVE capability). Limits: DEFAULT_SIEVE_LIMITS,
// MAX_NESTING_DEPTH, DEFAULT_MAX_SCRIPT_BYTES. See docs/sieve.md.

import type { CompiledSieve, SieveContext, SieveOutcome } from "./context.js";
import { runScript } from "./interpreter.js";

export {
  type CompileOptions,
  type CompileResult,
  compileSieve,
  DEFAULT_MAX_SCRIPT_BYTES,
} from "./compile.js";
export {
  type CompiledSieve,
  DEFAULT_SIEVE_LIMITS,
  type IncludeLocation,
  type SieveAction,
  type SieveContext,
  type SieveEnvelope,
  type SieveLimits,
  type SieveOutcome,
  type SieveVacation,
} from "./context.js";
export { SUPPORTED_SIEVE_EXTENSIONS } from "./grammar.js";
export {
  MAX_BODY_TEXT_CHARS,
  type SieveBodyPart,
  type SieveMessage,
  sieveMessageFromBytes,
} from "./message.js";
export { MAX_NESTING_DEPTH } from "./parser.js";
export type { SieveError } from "./sieve-error.js";

/** Runs a compiled script for one delivery; resolves with the actions, or with the runtime error. */
export function runSieve(script: CompiledSieve, context: SieveContext): Promise<SieveOutcome> {
  return runScript(script, context);
}
