// IMAP URLAUTH (RFC 4467): URLs to a stored message that the owner authorizes for someone else to fetch
// (a submission server sending a draft with BURL, RFC 4468) without handing out a password. Each of a
// user's mailboxes has a secret access key (made on first use, forgotten by RESETKEY); the INTERNAL
// mechanism's token is HMAC-SHA256 of the rump URL under that key. IMAP GENURLAUTH/URLFETCH/RESETKEY and
// submission's BURL both come here.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Uid } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import { clampPartial, type SectionKind, sectionRange } from "../../mime/section-range.js";
import type { AccountRecord, MailboxRecord, MailStore } from "../../store/mail-store.js";
import { normalizeMailboxName } from "../mailbox-name.js";
import type { MessageService } from "../message-service.js";
import { parseUrlAuthUrl, type UrlAuthUrl } from "./urlauth-url.js";

/** The one mechanism RFC 4467 §7 requires, and the only one offered. */
export const URLAUTH_MECHANISM = "INTERNAL";
const KEY_BYTES = 32;

/** Who asks to fetch a URL: an IMAP user, a submission session acting for a user, or nobody logged in. */
export type UrlFetcher =
  | { readonly kind: "user"; readonly account: AccountRecord }
  | { readonly kind: "submit"; readonly account: AccountRecord }
  | { readonly kind: "anonymous" };

/** The bytes a URL names, streamed from the store. */
export interface UrlContent {
  readonly size: number;
  readonly chunks: AsyncIterable<Uint8Array>;
}

export class UrlAuthService {
  constructor(
    private readonly store: MailStore,
    private readonly messages: Pick<MessageService, "readRange">,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * GENURLAUTH: the full URL for a rump URL of one of `account`'s messages. Rejects with invalidInput
   * (not a rump URL, not the account's, another mechanism) or nonexistent (no such mailbox or message).
   */
  async generate(account: AccountRecord, rumpUrl: string, mechanism: string): Promise<string> {
    if (mechanism.toUpperCase() !== URLAUTH_MECHANISM) {
      throw new MailError("invalidInput", `URLAUTH mechanism ${mechanism} is not supported`);
    }
    const url = parseUrlAuthUrl(rumpUrl);
    if (url === null || url.mechanism !== null) throw new MailError("invalidInput", "Not a URLAUTH rump URL");
    if (url.user.toLowerCase() !== account.address.toLowerCase()) {
      throw new MailError("invalidInput", "A URLAUTH URL must name one of your own mailboxes");
    }
    const mailbox = await this.#mailbox(account, url);
    if (
      mailbox === null ||
      (await this.store.messages.getEntries(mailbox.id, [url.uid as Uid])).length === 0
    ) {
      throw new MailError("nonexistent", "The URL does not name an existing message");
    }
    const key = await this.store.urlAuthKeys.getOrCreateUrlAuthKey(
      account.id,
      mailbox.id,
      randomBytes(KEY_BYTES),
    );
    return `${url.rump}:${URLAUTH_MECHANISM}:${tokenOf(key, url.rump)}`;
  }

  /**
   * URLFETCH and BURL: the bytes a full URL names, or null when it does not authorize `fetcher` (bad or
   * reset token, expired, wrong access identifier) or names nothing (RFC 4467 §6.2: NIL, not an error).
   */
  async fetch(urlText: string, fetcher: UrlFetcher): Promise<UrlContent | null> {
    const url = parseUrlAuthUrl(urlText);
    if (url === null || url.mechanism !== URLAUTH_MECHANISM || url.token === null) return null;
    if (url.expiresAtMs !== null && this.now() >= url.expiresAtMs) return null;
    if (!mayFetch(url, fetcher)) return null;
    const owner = await this.store.accounts.findByAddress(url.user);
    if (owner === undefined) return null;
    const mailbox = await this.#mailbox(owner, url);
    if (mailbox === null) return null;
    const key = await this.store.urlAuthKeys.getUrlAuthKey(owner.id, mailbox.id);
    if (key === undefined || !sameToken(tokenOf(key, url.rump), url.token)) return null;
    return this.#content(owner, mailbox, url);
  }

  /** RESETKEY: invalidates every URL of one mailbox, or of all the account's mailboxes. */
  async resetKeys(account: AccountRecord, mailboxName?: string): Promise<void> {
    if (mailboxName === undefined) return this.store.urlAuthKeys.resetUrlAuthKeys(account.id);
    const mailbox = await this.store.mailboxes.findByName(account.id, normalizeMailboxName(mailboxName));
    if (mailbox === undefined) throw new MailError("nonexistent", `Mailbox ${mailboxName} does not exist`);
    return this.store.urlAuthKeys.resetUrlAuthKeys(account.id, mailbox.id);
  }

  /** The URL's mailbox in the owner's account, if it exists with the URL's UIDVALIDITY. */
  async #mailbox(owner: AccountRecord, url: UrlAuthUrl): Promise<MailboxRecord | null> {
    const mailbox = await this.store.mailboxes.findByName(owner.id, normalizeMailboxName(url.mailbox));
    if (mailbox === undefined) return null;
    if (url.uidValidity !== null && url.uidValidity !== mailbox.uidValidity) return null;
    return mailbox;
  }

  async #content(owner: AccountRecord, mailbox: MailboxRecord, url: UrlAuthUrl): Promise<UrlContent | null> {
    const [entry] = await this.store.messages.getEntries(mailbox.id, [url.uid as Uid]);
    if (entry === undefined) return null;
    const summary = (await this.store.messages.getEmailSummaries([entry.emailId])).get(entry.emailId);
    if (summary === undefined) return null;
    let start = 0;
    let end = summary.size;
    if (url.section !== null) {
      const section = parseSection(url.section);
      const email =
        section === null ? undefined : await this.store.messages.getEmail(owner.id, entry.emailId);
      const range = section && email ? sectionRange(email.index.root, section.path, section.kind) : null;
      if (range === null) return null;
      ({ start, end } = range);
    }
    const { from, to } = clampPartial(end - start, url.partial);
    if (to <= from) return null;
    return { size: to - from, chunks: this.messages.readRange(summary.blobHash, start + from, start + to) };
  }
}

/** RFC 4467 §3: whether the access identifier admits this fetcher. */
function mayFetch(url: UrlAuthUrl, fetcher: UrlFetcher): boolean {
  const address = fetcher.kind === "anonymous" ? null : fetcher.account.address.toLowerCase();
  switch (url.access.kind) {
    case "anonymous":
      return true;
    case "authuser":
      return address !== null;
    case "user":
      return fetcher.kind === "user" && address === url.access.user.toLowerCase();
    case "submit":
      return fetcher.kind === "submit" && address === url.access.user.toLowerCase();
  }
}

/** A section of the sections URLAUTH resolves: a part's content, MIME header, or a message's HEADER/TEXT. */
function parseSection(text: string): { path: number[]; kind: SectionKind } | null {
  const match = /^(?:((?:[1-9][0-9]{0,9}\.)*[1-9][0-9]{0,9})(?:\.(HEADER|TEXT|MIME))?|(HEADER|TEXT))$/i.exec(
    text,
  );
  if (match === null) return null;
  const path = match[1] === undefined ? [] : match[1].split(".").map(Number);
  const kind = (match[2] ?? match[3])?.toUpperCase() as "HEADER" | "TEXT" | "MIME" | undefined;
  return { path, kind: kind ?? "content" };
}

function tokenOf(key: Buffer, rump: string): string {
  return createHmac("sha256", key).update(rump, "utf8").digest("hex");
}

/** Compares in constant time, so the token cannot be guessed byte by byte from response times. */
function sameToken(expected: string, given: string): boolean {
  const a = Buffer.from(expected, "latin1");
  const b = Buffer.from(given, "latin1");
  return a.length === b.length && timingSafeEqual(a, b);
}
