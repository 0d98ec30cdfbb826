// Writing mail (RFC 8621 §4.6 Email/set create, §7 EmailSubmission): new, reply, reply-all, forward inline
// or as an attachment; attachments are uploaded blobs. The draft is saved to Drafts a moment after each
// change (a new Email replaces the previous draft, since emails are immutable), so IMAP clients see it;
// sending creates the final Email and submits it in one request, and onSuccessUpdateEmail moves it from
// Drafts to Sent and clears $draft.
import DOMPurify from "dompurify";
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { type Invocation, type JmapClient, resultOf } from "../jmap/client.js";
import type { EmailAddress, FullEmail, Mailbox, SetError } from "../jmap/types.js";
import { mailboxWithRole } from "../mail/actions.js";
import {
  formatAddresses,
  formatFullDate,
  formatSize,
  isValidEmail,
  parseAddressList,
} from "../mail/format.js";
import { htmlToText } from "../mail/html-body.js";
import { Icon } from "./icons.js";

export interface ComposeInit {
  readonly mode: "new" | "reply" | "replyAll" | "forward" | "forwardAttachment";
  readonly source?: FullEmail;
}

interface Attachment {
  readonly blobId: string;
  readonly name: string;
  readonly type: string;
  readonly size: number;
}

interface Identity {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

interface Fields {
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  body: string;
  /** The rich text editor's HTML, or null while composing plain text. */
  html: string | null;
  attachments: Attachment[];
}

const AUTOSAVE_DELAY_MS = 1500;

function prefixed(prefix: string, subject: string | null): string {
  const text = subject ?? "";
  return new RegExp(`^${prefix}:`, "i").test(text) ? text : `${prefix}: ${text}`;
}

function sourceText(source: FullEmail): string {
  const text = source.textBody
    .filter((part) => part.type === "text/plain" && part.partId !== null)
    .map((part) => source.bodyValues[part.partId as string]?.value ?? "")
    .join("\n");
  if (text !== "") return text;
  const html = source.htmlBody
    .filter((part) => part.partId !== null)
    .map((part) => source.bodyValues[part.partId as string]?.value ?? "")
    .join("\n");
  return htmlToText(html);
}

function withoutSelf(list: readonly EmailAddress[], self: string): EmailAddress[] {
  return list.filter((address) => address.email.toLowerCase() !== self.toLowerCase());
}

/** The fields a compose mode starts with. */
export function initialFields(init: ComposeInit, self: string): Fields {
  const source = init.source;
  const empty: Fields = { to: "", cc: "", bcc: "", subject: "", body: "", html: null, attachments: [] };
  if (source === undefined || init.mode === "new") return empty;
  if (init.mode === "reply" || init.mode === "replyAll") {
    const replyTo =
      source.replyTo !== null && source.replyTo.length > 0 ? source.replyTo : (source.from ?? []);
    const to = init.mode === "replyAll" ? [...replyTo, ...withoutSelf(source.to ?? [], self)] : [...replyTo];
    const quoted = sourceText(source)
      .split("\n")
      .map((line) => `> ${line}`)
      .join("\n");
    return {
      ...empty,
      to: formatAddresses(to),
      cc: init.mode === "replyAll" ? formatAddresses(withoutSelf(source.cc ?? [], self)) : "",
      subject: prefixed("Re", source.subject),
      body: `\n\nOn ${formatFullDate(source.sentAt ?? source.receivedAt)}, ${formatAddresses(source.from)} wrote:\n${quoted}\n`,
    };
  }
  const subject = prefixed("Fwd", source.subject);
  if (init.mode === "forwardAttachment") {
    return {
      ...empty,
      subject,
      attachments: [
        {
          blobId: source.blobId,
          name: `${(source.subject ?? "message").replace(/[\\/:*?"<>|]/g, "_")}.eml`,
          type: "message/rfc822",
          size: source.size,
        },
      ],
    };
  }
  const header = [
    "---------- Forwarded message ----------",
    `From: ${formatAddresses(source.from)}`,
    `Date: ${formatFullDate(source.sentAt ?? source.receivedAt)}`,
    `Subject: ${source.subject ?? ""}`,
    `To: ${formatAddresses(source.to)}`,
  ].join("\n");
  return {
    ...empty,
    subject,
    body: `\n\n${header}\n\n${sourceText(source)}\n`,
    attachments: source.attachments.flatMap((part) =>
      part.blobId === null
        ? []
        : [{ blobId: part.blobId, name: part.name ?? "attachment", type: part.type, size: part.size }],
    ),
  };
}

const FORMAT_COMMANDS: readonly (readonly [command: string, label: string, text: string])[] = [
  ["bold", "Bold", "B"],
  ["italic", "Italic", "I"],
  ["insertUnorderedList", "Bulleted list", "•"],
  ["createLink", "Link", "Link"],
];

/** The editor's text with its line breaks (what innerText gives and textContent does not). */
function editorText(element: HTMLElement): string {
  // biome-ignore lint/performance/useDomNodeTextContent: textContent drops the line breaks of <br> and blocks
  return element.innerText;
}

function textToHtml(text: string): string {
  const escaped = text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
  return escaped.replaceAll("\n", "<br>");
}

/** What the editor produced, reduced to simple formatting (it may hold pasted HTML). */
function sanitizeComposedHtml(html: string): string {
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS: [
      "b",
      "strong",
      "i",
      "em",
      "u",
      "a",
      "br",
      "p",
      "div",
      "ul",
      "ol",
      "li",
      "blockquote",
      "span",
    ],
    ALLOWED_ATTR: ["href"],
  });
}

export function Compose({
  client,
  init,
  mailboxes,
  onClose,
}: {
  readonly client: JmapClient;
  readonly init: ComposeInit;
  readonly mailboxes: readonly Mailbox[];
  readonly onClose: (status?: string) => void;
}): JSX.Element {
  const [fields, setFields] = useState<Fields>(() => initialFields(init, client.session.username));
  const [identity, setIdentity] = useState<Identity | null>(null);
  const [draftId, setDraftId] = useState<string | null>(null);
  const [state, setState] = useState<"editing" | "saving" | "saved" | "sending">("editing");
  const [error, setError] = useState<string | null>(null);
  const [isDirty, setDirty] = useState(false);
  const draftIdRef = useRef<string | null>(null);
  /** Set once Send, Discard or Close has begun: an autosave that fires after that must not save again. */
  const isFinished = useRef(false);
  const saving = useRef<Promise<void>>(Promise.resolve());
  const dialog = useRef<HTMLDivElement>(null);
  const editor = useRef<HTMLDivElement>(null);
  const isRich = fields.html !== null;
  // The editor's content is set once when rich text is switched on; after that the user edits the DOM.
  useEffect(() => {
    if (isRich && editor.current !== null) editor.current.innerHTML = sanitizeComposedHtml(fields.html ?? "");
  }, [isRich]);
  const drafts = mailboxWithRole(mailboxes, "drafts");
  const sent = mailboxWithRole(mailboxes, "sent");

  useEffect(() => {
    client
      .call<{ list: Identity[] }>("Identity/get", { ids: null })
      .then((got) => {
        const self = client.session.username.toLowerCase();
        setIdentity(got.list.find((i) => i.email.toLowerCase() === self) ?? got.list[0] ?? null);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    const first = dialog.current?.querySelector<HTMLElement>(
      init.mode === "new" || init.mode.startsWith("forward") ? "input" : "textarea",
    );
    first?.focus();
    if (first instanceof HTMLTextAreaElement) first.setSelectionRange(0, 0);
  }, [client, init.mode]);

  const emailObject = (mailboxId: string): Record<string, unknown> => {
    const from: EmailAddress = {
      name: identity?.name || null,
      email: identity?.email ?? client.session.username,
    };
    const source = init.source;
    const isReply = source !== undefined && (init.mode === "reply" || init.mode === "replyAll");
    const object: Record<string, unknown> = {
      mailboxIds: { [mailboxId]: true },
      keywords: { $draft: true, $seen: true },
      from: [from],
      subject: fields.subject,
      bodyValues: { body: { value: fields.body } },
      textBody: [{ partId: "body", type: "text/plain" }],
    };
    if (fields.html !== null) {
      // Rich text: the HTML and its plain text as multipart/alternative.
      object.bodyValues = {
        body: { value: fields.body },
        html: { value: sanitizeComposedHtml(fields.html) },
      };
      object.htmlBody = [{ partId: "html", type: "text/html" }];
    }
    for (const key of ["to", "cc", "bcc"] as const) {
      const list = parseAddressList(fields[key]);
      if (list.length > 0) object[key] = list;
    }
    if (isReply && source.messageId !== null && source.messageId.length > 0) {
      object.inReplyTo = source.messageId;
      object.references = [...(source.references ?? []), ...source.messageId];
    }
    if (fields.attachments.length > 0) {
      object.attachments = fields.attachments.map((a) => ({
        blobId: a.blobId,
        type: a.type,
        name: a.name,
        disposition: "attachment",
      }));
    }
    return object;
  };

  /** Saves the fields as a new draft and destroys the previous one (one request). */
  const saveDraft = (): Promise<void> => {
    saving.current = saving.current.then(async () => {
      if (isFinished.current) return;
      if (drafts === undefined) throw new Error("There is no Drafts folder.");
      setState("saving");
      const previous = draftIdRef.current;
      const [response] = await client.request([
        [
          "Email/set",
          {
            accountId: client.accountId,
            create: { draft: emailObject(drafts.id) },
            ...(previous === null ? {} : { destroy: [previous] }),
          },
          "0",
        ],
      ]);
      const result = resultOf<{
        created?: Record<string, { id: string }>;
        notCreated?: Record<string, SetError>;
      }>(response, "Email/set");
      const created = result.created?.draft;
      if (created === undefined) {
        const problem = result.notCreated?.draft;
        throw new Error(
          `The draft was not saved: ${problem?.description ?? problem?.type ?? "unknown error"}`,
        );
      }
      draftIdRef.current = created.id;
      setDraftId(created.id);
      setState("saved");
      setDirty(false);
    });
    return saving.current.catch((e: unknown) => {
      setState("editing");
      setError(e instanceof Error ? e.message : String(e));
      saving.current = Promise.resolve();
    });
  };

  useEffect(() => {
    if (!isDirty) return;
    const timer = setTimeout(() => void saveDraft(), AUTOSAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [fields, isDirty, identity]);

  const update = (patch: Partial<Fields>): void => {
    setFields((current) => ({ ...current, ...patch }));
    setDirty(true);
  };

  const send = async (): Promise<void> => {
    setError(null);
    const recipients = ["to", "cc", "bcc"].flatMap((key) => parseAddressList(fields[key as "to"]));
    if (recipients.length === 0) return setError("Add at least one recipient.");
    const invalid = recipients.find((r) => !isValidEmail(r.email));
    if (invalid !== undefined) return setError(`Not an email address: ${invalid.email}`);
    if (drafts === undefined || sent === undefined) return setError("Drafts or Sent folder is missing.");
    if (identity === null) return setError("No identity to send from.");
    setState("sending");
    isFinished.current = true;
    await saving.current;
    const previous = draftIdRef.current;
    const calls: Invocation[] = [
      [
        "Email/set",
        {
          accountId: client.accountId,
          create: { final: emailObject(drafts.id) },
          ...(previous === null ? {} : { destroy: [previous] }),
        },
        "e",
      ],
      [
        "EmailSubmission/set",
        {
          accountId: client.accountId,
          create: { send: { identityId: identity.id, emailId: "#final" } },
          onSuccessUpdateEmail: {
            "#send": {
              [`mailboxIds/${drafts.id}`]: null,
              [`mailboxIds/${sent.id}`]: true,
              "keywords/$draft": null,
            },
          },
        },
        "s",
      ],
    ];
    try {
      const responses = await client.request(calls);
      const created = resultOf<{
        created?: Record<string, { id: string }>;
        notCreated?: Record<string, SetError>;
      }>(responses[0], "Email/set");
      if (created.created?.final === undefined) {
        const problem = created.notCreated?.final;
        throw new Error(
          `Not sent: ${problem?.description ?? problem?.type ?? "the message was not created"}`,
        );
      }
      draftIdRef.current = created.created.final.id;
      const submitted = resultOf<{
        created?: Record<string, unknown>;
        notCreated?: Record<string, SetError>;
      }>(responses[1], "EmailSubmission/set");
      if (submitted.created?.send === undefined) {
        const problem = submitted.notCreated?.send;
        throw new Error(
          `Not sent (kept in Drafts): ${problem?.description ?? problem?.type ?? "unknown error"}`,
        );
      }
      onClose("Message sent");
    } catch (e) {
      isFinished.current = false;
      setState("editing");
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const discard = async (): Promise<void> => {
    isFinished.current = true;
    await saving.current;
    const id = draftIdRef.current;
    if (id !== null) await client.call("Email/set", { destroy: [id] }).catch(() => undefined);
    onClose("Draft discarded");
  };

  const close = async (): Promise<void> => {
    if (isDirty) await saveDraft();
    isFinished.current = true;
    await saving.current;
    onClose(draftIdRef.current === null ? undefined : "Draft saved");
  };

  const addFiles = async (files: FileList | null): Promise<void> => {
    for (const file of Array.from(files ?? [])) {
      try {
        const uploaded = await client.upload(file, file.type || "application/octet-stream");
        setFields((current) => ({
          ...current,
          attachments: [
            ...current.attachments,
            { blobId: uploaded.blobId, name: file.name, type: uploaded.type, size: uploaded.size },
          ],
        }));
        setDirty(true);
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
      }
    }
  };

  const title = {
    new: "New message",
    reply: "Reply",
    replyAll: "Reply all",
    forward: "Forward",
    forwardAttachment: "Forward",
  }[init.mode];
  const field = (key: "to" | "cc" | "bcc" | "subject", label: string): JSX.Element => (
    <label class="compose-field">
      <span>{label}</span>
      <input
        name={key}
        type="text"
        value={fields[key]}
        autocomplete={key === "subject" ? "off" : "email"}
        onInput={(event) => update({ [key]: (event.currentTarget as HTMLInputElement).value })}
      />
    </label>
  );

  return (
    <div
      class="compose"
      role="dialog"
      aria-modal="false"
      aria-labelledby="compose-title"
      ref={dialog}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.stopPropagation();
          void close();
        } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          void send();
        }
      }}
    >
      <header class="compose-header">
        <h2 id="compose-title">{title}</h2>
        <span class="compose-state" role="status">
          {state === "saving"
            ? "Saving…"
            : state === "saved" && draftId !== null
              ? "Draft saved"
              : state === "sending"
                ? "Sending…"
                : ""}
        </span>
        <button type="button" aria-label="Close" onClick={() => void close()}>
          ✕
        </button>
      </header>
      <form
        class="compose-form"
        onSubmit={(event) => {
          event.preventDefault();
          void send();
        }}
      >
        <div class="compose-from">From: {identity === null ? "…" : formatAddresses([identity])}</div>
        {field("to", "To")}
        {field("cc", "Cc")}
        {field("bcc", "Bcc")}
        {field("subject", "Subject")}
        <div class="format-bar" role="toolbar" aria-label="Formatting">
          <label>
            <input
              type="checkbox"
              checked={fields.html !== null}
              onChange={(event) => {
                const isRich = (event.currentTarget as HTMLInputElement).checked;
                update({ html: isRich ? textToHtml(fields.body) : null });
              }}
            />{" "}
            Rich text
          </label>
          {fields.html !== null &&
            FORMAT_COMMANDS.map(([command, label, text]) => (
              <button
                key={command}
                type="button"
                aria-label={label}
                title={label}
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => {
                  if (command === "createLink") {
                    const url = window.prompt("Link address (https://…)");
                    if (url === null || !/^(https?:|mailto:)/i.test(url.trim())) return;
                    document.execCommand(command, false, url.trim());
                  } else document.execCommand(command);
                  if (editor.current !== null) {
                    update({ html: editor.current.innerHTML, body: editorText(editor.current) });
                  }
                }}
              >
                {text}
              </button>
            ))}
        </div>
        {fields.html === null ? (
          <textarea
            name="body"
            aria-label="Message"
            value={fields.body}
            onInput={(event) => update({ body: (event.currentTarget as HTMLTextAreaElement).value })}
          />
        ) : (
          // biome-ignore lint/a11y/useSemanticElements: rich text needs a contenteditable element; a textarea holds plain text only
          <div
            class="rich-editor"
            ref={editor}
            contentEditable
            role="textbox"
            aria-multiline="true"
            aria-label="Message"
            tabIndex={0}
            onInput={(event) => {
              const element = event.currentTarget as HTMLDivElement;
              update({ html: element.innerHTML, body: editorText(element) });
            }}
          />
        )}
        {fields.attachments.length > 0 && (
          <ul class="compose-attachments" aria-label="Attachments">
            {fields.attachments.map((a, index) => (
              <li key={`${a.blobId}-${index}`}>
                <Icon name="attachment" /> {a.name} <span class="attachment-meta">{formatSize(a.size)}</span>{" "}
                <button
                  type="button"
                  class="link-button"
                  aria-label={`Remove ${a.name}`}
                  onClick={() => update({ attachments: fields.attachments.filter((_, i) => i !== index) })}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        {error !== null && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="compose-actions">
          <button type="submit" class="primary" disabled={state === "sending"}>
            Send
          </button>
          <label class="attach-button">
            Attach files
            <input
              type="file"
              multiple
              class="visually-hidden"
              onChange={(event) => void addFiles((event.currentTarget as HTMLInputElement).files)}
            />
          </label>
          <button type="button" onClick={() => void discard()}>
            Discard
          </button>
        </div>
      </form>
    </div>
  );
}
