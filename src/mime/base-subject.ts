// The base subject of RFC 5256 §2.1 (SORT SUBJECT, THREAD grouping): the subject with reply/forward
// leaders ("Re:", "Fwd[2]:", "[list]" blobs), "(fwd)" trailers and "[fwd: …]" wrappers removed.

export interface BaseSubject {
  /** The base subject, ASCII letters lower-cased (the i;ascii-casemap collation compares it as is). */
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
  return { key: foldAscii(text), isReplyOrForward };
}

/** i;ascii-casemap (RFC 4790 §9.2): only ASCII letters are folded. */
export function foldAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
