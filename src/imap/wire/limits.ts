// Bounds on what the IMAP reader buffers for one command (RFC 9051 §4.3 literals, RFC 7888 §4 limits),
// so no client input can grow memory without bound.

/** Limits the reader enforces; every field is a hard bound, checked before bytes are kept. */
export interface ImapReaderLimits {
  /** Longest line (between CRLFs, without literal bytes) kept while waiting for its end. */
  readonly maxLineBytes: number;
  /** Largest literal read into memory as a command argument (APPEND messages are streamed instead). */
  readonly maxLiteralBytes: number;
  /** Sum of the line bytes and in-memory literal bytes of one command. */
  readonly maxCommandBytes: number;
  /** Deepest nesting of parenthesized lists. */
  readonly maxNesting: number;
  /** Most arguments (tokens, lists and literals) in one command. */
  readonly maxArguments: number;
}

export const DEFAULT_READER_LIMITS: ImapReaderLimits = {
  maxLineBytes: 64 * 1024,
  maxLiteralBytes: 64 * 1024,
  maxCommandBytes: 1024 * 1024,
  maxNesting: 32,
  maxArguments: 10_000,
};
