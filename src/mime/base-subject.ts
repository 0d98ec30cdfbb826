// The base subject of RFC 5256 §2.1 (SORT SUBJECT, THREAD grouping): the subject with reply/forward
// leaders ("Re:", "Fwd[2]:", "[list]" blobs), "(fwd)" trailers and "[fwd: …]" wrappers removed.

export interface BaseSubject {
  /** The base subject folded by `foldForCollation`, so that comparing it as is follows i;unicode-casemap. */
  readonly key: string;
  /** Something was removed by steps 2, 3 or 6: RFC 5256 §3 REFERENCES step 5 calls it a reply or forward. */
  readonly isReplyOrForward: boolean;
}

/** subj-trailer (`(fwd)` or WSP) at the end, repeated. */
const TRAILER = /(?:\(fwd\)| )+$/i;
/** subj-leader's first form: *subj-blob subj-refwd, i.e. `[blob] Re [blob]:`. */
const REFWD = /^(?:\[[^[\]]*\] *)*(?:re|fwd?) *(?:\[[^[\]]*\] *)?:/i;
/** One subj-blob with its trailing WSP. */
const BLOB = /^\[[^[\]]*\] */;

/** Step 1 was done by the MIME layer (decoded to UTF-8); here whitespace runs become one space. */
export function baseSubject(subject: string): BaseSubject {
  let text = subject.replace(/[\t\r\n ]+/g, " ");
  let isReplyOrForward = false;
  for (;;) {
    // Step 2: trailers.
    const trimmed = text.replace(TRAILER, (trailer) => {
      if (/\(fwd\)/i.test(trailer)) isReplyOrForward = true;
      return "";
    });
    text = trimmed;
    // Steps 3-5: leaders and blobs until neither changes the text.
    for (;;) {
      const before = text;
      if (text.startsWith(" ")) text = text.slice(1);
      const refwd = REFWD.exec(text);
      if (refwd) {
        text = text.slice(refwd[0].length);
        isReplyOrForward = true;
      }
      const blob = BLOB.exec(text);
      // Step 4: a blob goes only if a non-empty subject remains.
      if (blob && text.slice(blob[0].length).trim() !== "") text = text.slice(blob[0].length);
      if (text === before) break;
    }
    // Step 6: "[fwd: …]" wraps a forwarded subject; unwrap and start again at step 2.
    if (text.length >= 6 && text.slice(0, 5).toLowerCase() === "[fwd:" && text.endsWith("]")) {
      text = text.slice(5, -1);
      isReplyOrForward = true;
      continue;
    }
    break;
  }
  return { key: foldForCollation(text), isReplyOrForward };
}

/**
 * i;unicode-casemap (RFC 5051 §2, the collation of I18NLEVEL=1 that RFC 5256 requires): each character
 * case-mapped (upper case standing in for title case) and the result decomposed (NFKD); the folded
 * strings then compare by UTF-8 octets. ASCII-only text folds as i;ascii-casemap does.
 */
export function foldForCollation(text: string): string {
  return text.toUpperCase().normalize("NFKD");
}
