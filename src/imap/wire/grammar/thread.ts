// THREAD and UID THREAD (RFC 5256 §5): `THREAD algorithm charset key …`; the search keys are SEARCH's.

import { decodeCharset, isKnownCharset } from "../../../mime/charset.js";
import type { ArgumentCursor } from "../argument-cursor.js";
import { type ImapCommand, THREAD_ALGORITHM_NAMES, type ThreadAlgorithmName } from "../command.js";
import { parseSearchCriteria, type SearchKey } from "../search-key.js";

export function parseThread(c: ArgumentCursor, tag: string, uid: boolean): ImapCommand {
  c.expectSpace();
  const algorithm = c.keyword();
  if (!(THREAD_ALGORITHM_NAMES as readonly string[]).includes(algorithm))
    c.fail(`Unknown thread algorithm ${algorithm}`);
  c.expectSpace();
  const { charset, criteria } = parseCharsetAndCriteria(c);
  return { tag, name: "thread", uid, algorithm: algorithm as ThreadAlgorithmName, charset, criteria };
}

/**
 * SORT's and THREAD's `search-criteria = charset 1*(SP search-key)` (RFC 5256 §5): the charset is
 * required; strings are decoded from it when known, else kept UTF-8 for the command to answer BADCHARSET.
 */
export function parseCharsetAndCriteria(c: ArgumentCursor): {
  charset: string;
  criteria: SearchKey[];
} {
  const charset = c.astring().toUpperCase();
  c.expectSpace();
  if (isKnownCharset(charset)) c.decodeText = (bytes) => decodeCharset(bytes, charset);
  return { charset, criteria: parseSearchCriteria(c) };
}
