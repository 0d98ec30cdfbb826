// HEADER search (RFC 9051 §6.4.4 `HEADER field-name string`): any field name, so it is answered from
// the message's own header bytes, read from the blob only up to the blank line, for the few candidates
// the stored search text (which holds every decoded header value) could not rule out.
import type { EmailId } from "../../kit/ids.js";
import { decodeEncodedWords } from "../../mime/encoded-word.js";
import { parseHeaderBlock, readFieldValue } from "../../mime/header.js";
import { foldSearchText } from "../../mime/search-fold.js";
import type { MailStore } from "../../store/mail-store.js";

/** First read; most headers end well before this. */
const FIRST_READ_BYTES = 16 * 1024;
/** No header is searched beyond this (the indexer bounds header text similarly). */
const MAX_HEADER_BYTES = 1024 * 1024;

/** The emails among `candidates` with a top-level header field `name` whose decoded value contains `value`. */
export async function matchHeader(
  store: MailStore,
  candidates: ReadonlySet<EmailId>,
  name: string,
  value: string,
): Promise<Set<EmailId>> {
  const fieldName = name.toLowerCase();
  const needle = foldSearchText(value);
  const summaries = await store.messages.getEmailSummaries([...candidates]);
  const matched = new Set<EmailId>();
  for (const [emailId, summary] of summaries) {
    const header = await readHeaderBytes(store, summary.blobHash, summary.size);
    const block = parseHeaderBlock(header, 0, header.length);
    for (const field of block.fields) {
      if (field.name !== fieldName) continue;
      if (
        needle === "" ||
        foldSearchText(decodeEncodedWords(readFieldValue(header, field))).includes(needle)
      ) {
        matched.add(emailId);
        break;
      }
    }
  }
  return matched;
}

async function readHeaderBytes(
  store: MailStore,
  hash: Parameters<MailStore["blobs"]["read"]>[0],
  size: number,
) {
  let limit = Math.min(size, FIRST_READ_BYTES);
  for (;;) {
    const chunks: Buffer[] = [];
    for await (const chunk of store.blobs.readRange(hash, 0, limit)) chunks.push(Buffer.from(chunk));
    const bytes = Buffer.concat(chunks);
    const end = headerEnd(bytes);
    if (end !== -1) return bytes.subarray(0, end);
    if (limit >= Math.min(size, MAX_HEADER_BYTES)) return bytes;
    limit = Math.min(size, MAX_HEADER_BYTES);
  }
}

/** One past the blank line that ends the header, or -1 when `bytes` holds no blank line. */
function headerEnd(bytes: Buffer): number {
  if (bytes[0] === 0x0a) return 1;
  if (bytes[0] === 0x0d && bytes[1] === 0x0a) return 2;
  const crlf = bytes.indexOf("\n\r\n");
  const lf = bytes.indexOf("\n\n");
  if (crlf === -1) return lf === -1 ? -1 : lf + 2;
  return lf === -1 || crlf < lf ? crlf + 3 : lf + 2;
}
