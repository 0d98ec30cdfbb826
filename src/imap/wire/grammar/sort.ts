// SORT and UID SORT (RFC 5256 §5, RFC 5957 §5) with ESORT return options (RFC 5267 §3.2, §4.1), SAVE
// (RFC 5182) and PARTIAL (RFC 9394 §3.1):
// `SORT [RETURN (…)] (criteria) charset key …`; the search keys are SEARCH's (search-key.ts).

import type { ArgumentCursor } from "../argument-cursor.js";
import {
  type ImapCommand,
  type PartialRange,
  SORT_KEY_NAMES,
  SORT_RETURN_OPTIONS,
  type SortCriterionArgument,
  type SortKeyName,
  type SortReturnOption,
} from "../command.js";
import { parseReturnOptions } from "./search.js";
import { parseCharsetAndCriteria } from "./thread.js";

export function parseSort(c: ArgumentCursor, tag: string, uid: boolean): ImapCommand {
  c.expectSpace();
  let returns: SortReturnOption[] | null = null;
  let partial: PartialRange | null = null;
  if (c.tryKeyword("RETURN")) {
    c.expectSpace();
    ({ returns, partial } = parseReturnOptions(c, SORT_RETURN_OPTIONS));
    c.expectSpace();
  }
  const sortCriteria: SortCriterionArgument[] = [];
  c.list(() => {
    let word = c.keyword();
    const isReverse = word === "REVERSE";
    if (isReverse) {
      c.expectSpace();
      word = c.keyword();
    }
    if (!(SORT_KEY_NAMES as readonly string[]).includes(word)) c.fail(`Unknown sort key ${word}`);
    sortCriteria.push({ key: word as SortKeyName, isReverse });
  }, false);
  c.expectSpace();
  const { charset, criteria } = parseCharsetAndCriteria(c);
  return { tag, name: "sort", uid, returns, partial, sortCriteria, charset, criteria };
}
