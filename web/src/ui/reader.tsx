// The reading pane: the header preview from the list's data at once, then the body (Email/get with body
// values): plain text as text, HTML sanitized into a sandboxed iframe without scripts (mail/html-body.ts)
// with remote images held back until allowed, cid: images from the message's own parts, attachments
// with their size to download, and the raw source on demand.
import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import type { JmapClient } from "../jmap/client.js";
import {
  BODY_PROPERTIES,
  type EmailBodyPart,
  FULL_PROPERTIES,
  type FullEmail,
  type ListEmail,
  type Mailbox,
} from "../jmap/types.js";
import { formatAddresses, formatFullDate, formatSize } from "../mail/format.js";
import { cidOf, renderHtmlBody } from "../mail/html-body.js";
import { Icon } from "./icons.js";
import { flattenTree } from "./mailbox-tree.js";

export interface ReaderActions {
  readonly onReply: (email: FullEmail, all: boolean) => void;
  readonly onForward: (email: FullEmail, asAttachment: boolean) => void;
  readonly onArchive: () => void;
  readonly onDelete: () => void;
  readonly onToggleRead: () => void;
  readonly onToggleFlag: () => void;
  readonly onMove: (mailboxId: string) => void;
  readonly onClose: () => void;
}

interface Props {
  readonly client: JmapClient;
  readonly preview: ListEmail;
  readonly mailboxes: readonly Mailbox[];
  readonly actions: ReaderActions;
  readonly onLoaded: (email: FullEmail) => void;
}

export async function loadFullEmail(client: JmapClient, id: string): Promise<FullEmail | null> {
  const got = await client.call<{ list: FullEmail[] }>("Email/get", {
    ids: [id],
    properties: FULL_PROPERTIES,
    bodyProperties: BODY_PROPERTIES,
    fetchTextBodyValues: true,
    fetchHTMLBodyValues: true,
    maxBodyValueBytes: 2_000_000,
  });
  return got.list[0] ?? null;
}

export function Reader({ client, preview, mailboxes, actions, onLoaded }: Props): JSX.Element {
  const [email, setEmail] = useState<FullEmail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [allowRemote, setAllowRemote] = useState(false);
  // null while the message's cid: images are being fetched: the frame is drawn once, with them, rather
  // than drawn and then navigated again (Chromium runs the sandboxed frame in a process of its own, and
  // under load a second navigation once left it without layout).
  const [inlineImages, setInlineImages] = useState<ReadonlyMap<string, string> | null>(null);
  const [original, setOriginal] = useState<string | null>(null);
  const [showDetails, setShowDetails] = useState(false);

  useEffect(() => {
    setEmail(null);
    setError(null);
    setAllowRemote(false);
    setInlineImages(null);
    setOriginal(null);
  }, [preview.id]);

  useEffect(() => {
    let isCurrent = true;
    loadFullEmail(client, preview.id)
      .then((loaded) => {
        if (!isCurrent) return;
        if (loaded === null) setError("This message no longer exists.");
        else {
          setEmail(loaded);
          onLoaded(loaded);
        }
      })
      .catch((e: unknown) => isCurrent && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      isCurrent = false;
    };
  }, [client, preview.id, onLoaded]);

  const htmlParts = useMemo(
    () => (email === null ? [] : email.htmlBody.filter((part) => part.type === "text/html")),
    [email],
  );
  const html = htmlParts.map((part) => bodyText(email, part)).join("<hr>");
  const referencedCids = useMemo(() => {
    const cids = new Set<string>();
    for (const match of html.matchAll(/["'(]\s*(cid:[^"')\s]+)/gi)) cids.add(cidOf(match[1] as string));
    return cids;
  }, [html]);

  // cid: images become data: URLs of the parts (downloaded through the JMAP download endpoint).
  useEffect(() => {
    if (email === null) return;
    if (referencedCids.size === 0) {
      setInlineImages(NO_INLINE_IMAGES);
      return;
    }
    let isCurrent = true;
    const parts = [...email.attachments, ...email.htmlBody].filter(
      (part) =>
        part.cid !== null && part.blobId !== null && referencedCids.has(part.cid.replace(/^<|>$/g, "")),
    );
    void Promise.all(
      parts.map(async (part) => {
        const blob = await client.download(part.blobId as string, part.name ?? "image", part.type);
        return [(part.cid as string).replace(/^<|>$/g, ""), await dataUrlOf(blob)] as const;
      }),
    ).then(
      (entries) => isCurrent && setInlineImages(new Map(entries)),
      // A part that cannot be fetched is shown as a missing image; the rest of the message still is.
      () => isCurrent && setInlineImages(NO_INLINE_IMAGES),
    );
    return () => {
      isCurrent = false;
    };
  }, [client, email, referencedCids]);

  const isHtml = html !== "";
  const rendered = useMemo(
    () => (!isHtml || inlineImages === null ? null : renderHtmlBody(html, { allowRemote, inlineImages })),
    [isHtml, html, allowRemote, inlineImages],
  );

  const current: ListEmail = email ?? preview;
  // The list's copy of the email is kept current by push; the body loaded once is not refetched for it.
  const isUnread = preview.keywords.$seen !== true;
  const isFlagged = preview.keywords.$flagged === true;
  const attachments = (email?.attachments ?? []).filter(
    (part) => part.cid === null || !referencedCids.has(part.cid.replace(/^<|>$/g, "")),
  );

  const showOriginal = async (): Promise<void> => {
    if (email === null) return;
    if (original !== null) return setOriginal(null);
    const blob = await client.download(email.blobId, "message.eml", "text/plain");
    setOriginal(await blob.text());
  };

  return (
    <article class="reader" aria-label="Message">
      <div class="toolbar" role="toolbar" aria-label="Message actions">
        <button type="button" class="back-button" onClick={actions.onClose} aria-label="Back to list">
          ←
        </button>
        <button
          type="button"
          disabled={email === null}
          onClick={() => email && actions.onReply(email, false)}
        >
          Reply
        </button>
        <button type="button" disabled={email === null} onClick={() => email && actions.onReply(email, true)}>
          Reply all
        </button>
        <button
          type="button"
          disabled={email === null}
          onClick={() => email && actions.onForward(email, false)}
        >
          Forward
        </button>
        <button
          type="button"
          disabled={email === null}
          onClick={() => email && actions.onForward(email, true)}
        >
          Forward as attachment
        </button>
        <button type="button" onClick={actions.onArchive}>
          Archive
        </button>
        <button type="button" onClick={actions.onDelete}>
          Delete
        </button>
        <button type="button" onClick={actions.onToggleRead}>
          {isUnread ? "Mark read" : "Mark unread"}
        </button>
        <button type="button" aria-pressed={isFlagged} onClick={actions.onToggleFlag} class="flag-action">
          {isFlagged ? "★ Flagged" : "☆ Flag"}
        </button>
        <label class="move-to">
          <span class="visually-hidden">Move to folder</span>
          <select
            aria-label="Move to folder"
            value=""
            onChange={(event) => {
              const target = (event.currentTarget as HTMLSelectElement).value;
              if (target !== "") actions.onMove(target);
            }}
          >
            <option value="">Move to…</option>
            {flattenTree(mailboxes).map(({ mailbox, depth }) => (
              <option key={mailbox.id} value={mailbox.id}>
                {`${"  ".repeat(depth)}${mailbox.name.split("/").pop() ?? mailbox.name}`}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={email === null}
          onClick={() => void showOriginal()}
          aria-pressed={original !== null}
        >
          {original === null ? "Show original" : "Hide original"}
        </button>
      </div>
      <header class="reader-header">
        <h2 class="reader-subject">{current.subject || "(no subject)"}</h2>
        <dl class="reader-fields">
          <dt>From</dt>
          <dd class="reader-from">{formatAddresses(current.from)}</dd>
          <dt>To</dt>
          <dd>{formatAddresses(current.to)}</dd>
          {email !== null && (email.cc?.length ?? 0) > 0 && (
            <>
              <dt>Cc</dt>
              <dd>{formatAddresses(email.cc)}</dd>
            </>
          )}
          <dt>Date</dt>
          <dd>{formatFullDate(email?.sentAt ?? current.receivedAt)}</dd>
          {showDetails && email !== null && (
            <>
              <dt>Reply-To</dt>
              <dd>{formatAddresses(email.replyTo) || "—"}</dd>
              <dt>Message-ID</dt>
              <dd>{(email.messageId ?? []).join(" ") || "—"}</dd>
              <dt>Size</dt>
              <dd>{formatSize(email.size)}</dd>
            </>
          )}
        </dl>
        <button
          type="button"
          class="link-button"
          onClick={() => setShowDetails(!showDetails)}
          aria-expanded={showDetails}
        >
          {showDetails ? "Fewer details" : "More details"}
        </button>
      </header>
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {email === null && error === null && <p class="reader-preview">{preview.preview}</p>}
      {original !== null && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take the keyboard focus to be scrolled without a mouse
        <pre class="original" tabIndex={0}>
          {original}
        </pre>
      )}
      {email !== null && original === null && (
        <>
          {rendered !== null && rendered.blockedCount > 0 && !allowRemote && (
            <div class="remote-banner" role="status">
              Remote images in this message are blocked to protect your privacy.{" "}
              <button type="button" class="link-button" onClick={() => setAllowRemote(true)}>
                Load remote images
              </button>
            </div>
          )}
          {isHtml ? (
            rendered !== null && (
              <iframe
                class="html-body"
                title="Message body"
                sandbox="allow-popups allow-popups-to-escape-sandbox"
                referrerpolicy="no-referrer"
                srcdoc={rendered.srcdoc}
              />
            )
          ) : (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take the keyboard focus to be scrolled without a mouse
            <div class="text-body" tabIndex={0}>
              {email.textBody.map((part) => (
                <pre key={part.partId}>{bodyText(email, part)}</pre>
              ))}
            </div>
          )}
          {attachments.length > 0 && (
            <section class="attachments" aria-label="Attachments">
              <h3>Attachments ({attachments.length})</h3>
              <ul>
                {attachments.map((part) => (
                  <li key={part.partId}>
                    <button type="button" class="link-button" onClick={() => void downloadPart(client, part)}>
                      <Icon name="attachment" /> {part.name ?? "attachment"}
                    </button>{" "}
                    <span class="attachment-meta">
                      {part.type}, {formatSize(part.size)}
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </article>
  );
}

function bodyText(email: FullEmail | null, part: EmailBodyPart): string {
  if (email === null || part.partId === null) return "";
  const value = email.bodyValues[part.partId];
  if (value === undefined) return "";
  return value.isTruncated ? `${value.value}\n\n[… message truncated]` : value.value;
}

/** What a message without (fetchable) cid: images shows inline. */
const NO_INLINE_IMAGES: ReadonlyMap<string, string> = new Map();

async function dataUrlOf(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/** Saves a part through an object URL (the download needs the token, so a plain link cannot do it). */
export async function downloadPart(client: JmapClient, part: EmailBodyPart): Promise<void> {
  if (part.blobId === null) return;
  const name = part.name ?? "attachment";
  const blob = await client.download(part.blobId, name, part.type);
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
