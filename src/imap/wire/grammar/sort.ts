// SORT and UID SORT (RFC 5256 §5, RFC 5957 §5) with ESORT return options (RFC 5267 §3.2):
// `SORT [RETURN (…)] (criteria) charset key …`; the search keys are SEARCH's (search-key.ts).

import type { ArgumentCursor } from "../argument-cursor.js";
import {
  type ImapCommand,
  SORT_KEY_NAMES,
  SORT_RETURN_OPTIONS,
  type SortCriterionArgument,
  type SortKeyName,
  type SortReturnOption,
} from "../command.js";
import { parseCharsetAndCriteria } from "./thread.js";

export function parseSort(c: ArgumentCursor, tag: string, uid: boolean): ImapCommand {
  c.expectSpace();
  let returns: SortReturnOption[] | null = null;
  if (c.tryKeyword("RETURN")) {
    c.expectSpace();
    const seen = new Set<string>();
    c.list(() => {
      const option = c.keyword();
      if (!(SORT_RETURN_OPTIONS as readonly string[]).includes(option))
        c.fail(`Unknown RETURN option ${option}`);
      seen.add(option);
    });
    returns = SORT_RETURN_OPTIONS.filter((o) => seen.has(o));
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
  return { tag, name: "sort", uid, returns, sortCriteria, charset, criteria };
}
