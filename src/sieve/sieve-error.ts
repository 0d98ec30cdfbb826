// The errors a Sieve script produces: compile errors with a 1-based line and column (what ManageSieve
// CHECKSCRIPT and PUTSCRIPT report, RFC 5804 §2.6) and runtime errors (the caller then keeps the message, RFC 5228 §2.10.6).

/** One compile error, 1-based position. */
export interface SieveError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** An error at a place in the script; both kinds below carry one. */
abstract class PositionedError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }

  toSieveError(): SieveError {
    return { line: this.line, column: this.column, message: this.message };
  }
}

/** Thrown inside the lexer and parser; caught by compileSieve and turned into a SieveError. */
export class SieveSyntaxError extends PositionedError {
  override readonly name = "SieveSyntaxError";
}

/** Thrown by the interpreter; runSieve returns it as `{ ok: false, error }` and the caller keeps the message. */
export class SieveRuntimeError extends PositionedError {
  override readonly name = "SieveRuntimeError";
}
