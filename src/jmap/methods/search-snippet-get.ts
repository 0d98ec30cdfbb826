// SearchSnippet/get (RFC 8621 §5.1): for each email, its subject and a piece of its text with the words
// an Email/query filter searched for marked with <mark> (HTML-escaped otherwise); null where nothing
// matched. Matching is IMAP SEARCH's: a case-insensitive substring of the decoded text, which the search
// index holds for each email (MessageIndex.searchText), so snippets agree with what Email/query found.
import type { EmailId } from "../../kit/ids.js";
import { requireAccount } from "../account-check.js";
import { loadAccountMail } from "../account-mail.js";
import { type Args, checkKnownArgs, isPlainObject, readIds } from "../args.js";
import { compileEmailFilter } from "../email-filter.js";
import type { JmapContext } from "../jmap-context.js";
import { invalidArguments, MethodError } from "../jmap-error.js";

/** Characters of text around the first match in a preview snippet. */
const SNIPPET_CHARS = 200;

interface Terms {
  readonly subject: string[];
  readonly body: string[];
}

export async function searchSnippetGet(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  checkKnownArgs(args, ["accountId", "filter", "emailIds"]);
  const accountId = requireAccount(ctx, args);
  const emailIds = readIds(args, "emailIds");
  if (emailIds === null) throw invalidArguments('"emailIds" is required');
  if (emailIds.length > ctx.limits.maxObjectsInGet)
    throw new MethodError("requestTooLarge", `At most ${ctx.limits.maxObjectsInGet} emailIds`);
  // Checked by the same code as Email/query, so the same filters are refused the same way.
  compileEmailFilter(args.filter);
  const terms: Terms = { subject: [], body: [] };
  collectTerms(args.filter, terms);
  const mail = await loadAccountMail(ctx);
  const list: Record<string, unknown>[] = [];
  const notFound: string[] = [];
  for (const id of new Set(emailIds)) {
    const email = mail.entriesByEmail.has(id as EmailId)
      ? await ctx.services.store.messages.getEmail(ctx.account.id, id as EmailId)
      : undefined;
    if (email === undefined) {
      notFound.push(id);
      continue;
    }
    list.push({
      emailId: id,
      subject: markAll(email.index.headers.subject, terms.subject),
      preview: previewSnippet(email.index.preview, email.index.searchText, terms.body),
    });
  }
  return { accountId, list, notFound };
}

/** Search words of conditions that must hold (those under NOT are not what was found). */
function collectTerms(filter: unknown, terms: Terms): void {
  if (!isPlainObject(filter)) return;
  if ("operator" in filter) {
    if (filter.operator === "NOT" || !Array.isArray(filter.conditions)) return;
    for (const condition of filter.conditions) collectTerms(condition, terms);
    return;
  }
  const add = (list: string[], value: unknown) => {
    if (typeof value === "string" && value.trim() !== "") list.push(value.trim());
  };
  add(terms.subject, filter.text);
  add(terms.subject, filter.subject);
  add(terms.body, filter.text);
  add(terms.body, filter.body);
}

/** The text with every term marked and the rest escaped; null when no term occurs. */
export function markAll(text: string, terms: readonly string[]): string | null {
  if (terms.length === 0) return null;
  const pattern = new RegExp(terms.map(escapeRegExp).join("|"), "giu");
  let found = false;
  let out = "";
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match[0] === "") continue;
    found = true;
    out += `${escapeHtml(text.slice(last, match.index))}<mark>${escapeHtml(match[0])}</mark>`;
    last = match.index + match[0].length;
  }
  return found ? out + escapeHtml(text.slice(last)) : null;
}

/** The preview marked if a term is in it, else a window of the searchable text around the first match. */
function previewSnippet(preview: string, searchText: string, terms: readonly string[]): string | null {
  const inPreview = markAll(preview, terms);
  if (inPreview !== null || terms.length === 0) return inPreview;
  const text = searchText.replace(/\s+/g, " ");
  const pattern = new RegExp(terms.map(escapeRegExp).join("|"), "iu");
  const first = pattern.exec(text);
  if (first === null) return null;
  const start = Math.max(0, first.index - SNIPPET_CHARS / 4);
  const window = text.slice(start, start + SNIPPET_CHARS);
  return markAll(window, terms);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
