// Client quirks in one place (docs/client-compatibility.md): which client a session serves, from what it
// says of itself in ID (RFC 2971), and what the server does differently for it. Most known client bugs
// are avoided for every client by the server's ordinary behaviour; those are listed here too (with
// `appliesTo: "every client"`), so each has one home, one test named after it and one paragraph in the
// docs. Only behaviour that would be wrong for other clients depends on the client's name.

/** The client families the server knows bugs of; "other" for everything else (or no ID at all). */
export type ClientFamily = "apple-mail" | "outlook" | "thunderbird" | "other";

export interface ClientIdentity {
  readonly family: ClientFamily;
  /** The ID `name` and `version` as sent (cut to 128 characters), null when absent. */
  readonly name: string | null;
  readonly version: string | null;
}

/** What the server does differently for one session's client. */
export interface ClientQuirks {
  /**
   * LSUB answers carry \HasChildren / \HasNoChildren, as LIST does. Outlook builds its folder tree from
   * LSUB and shows a subscribed folder's subfolders only when LSUB says it has children; Dovecot and
   * RFC 3501 leave them out of LSUB, which other clients expect.
   */
  readonly isLsubChildrenShown: boolean;
}

/** One entry of the catalogue: the client bug, who has it, and what the server does about it. */
export interface KnownQuirk {
  /** Also the name of its test (test/imap-client-quirks.test.ts). */
  readonly id: string;
  readonly clients: string;
  readonly appliesTo: "every client" | ClientFamily;
  readonly serverBehaviour: string;
}

export const KNOWN_QUIRKS: readonly KnownQuirk[] = [
  {
    id: "apple-mail-loops-on-exists-after-expunge",
    clients: "Apple Mail (macOS Mail 16, iOS/iPadOS Mail)",
    appliesTo: "every client",
    serverBehaviour:
      "EXPUNGE, MOVE and others' expunges are announced with EXPUNGE (or VANISHED) only; EXISTS is sent only when messages were added, never as `* 0 EXISTS` after the mailbox emptied",
  },
  {
    id: "outlook-lsub-without-children",
    clients: "Microsoft Outlook (desktop, IMAP accounts)",
    appliesTo: "outlook",
    serverBehaviour:
      "LSUB carries \\HasChildren / \\HasNoChildren beside \\Noselect and the special-use attributes",
  },
  {
    id: "outlook-special-use-names",
    clients: "Microsoft Outlook 2013–2019 (looks for folders by name: Sent Items, Deleted Items, Junk Email)",
    appliesTo: "every client",
    serverBehaviour:
      "LIST and LSUB always carry the RFC 6154 special-use attributes (\\Sent, \\Trash, \\Junk, \\Drafts, \\Archive), so Outlook 2016 and later use the account's folders instead of creating its own",
  },
  {
    id: "thunderbird-utf8-append",
    clients: "Thunderbird 102 and later with UTF8=ACCEPT enabled",
    appliesTo: "every client",
    serverBehaviour:
      "APPEND accepts UTF-8 headers both in `UTF8 (~{n})` (RFC 6855) and in a plain literal, which Thunderbird sends for drafts and sent copies",
  },
  {
    id: "thunderbird-extra-mailbox-separator",
    clients: "Thunderbird (adds a trailing '/' to folder names that have subfolders)",
    appliesTo: "every client",
    serverBehaviour:
      "a trailing hierarchy delimiter is dropped from mailbox names (as Dovecot's tb-extra-mailbox-sep)",
  },
];

const NO_QUIRKS: ClientQuirks = { isLsubChildrenShown: false };

/** The family of a client from its ID parameters (keys compared case-insensitively, RFC 2971 §3.3). */
export function identifyClient(
  parameters: readonly { readonly key: string; readonly value: string | null }[] | null,
): ClientIdentity {
  const field = (key: string): string | null =>
    parameters?.find((p) => p.key.toLowerCase() === key)?.value?.slice(0, 128) ?? null;
  const name = field("name");
  const version = field("version");
  const vendor = field("vendor") ?? "";
  return { family: familyOf(name ?? "", vendor), name, version };
}

function familyOf(name: string, vendor: string): ClientFamily {
  // Apple's clients name themselves "Mac OS X Mail", "iPhone Mail", "iPad Mail" (vendor "Apple Inc.").
  if (/^(mac os x|iphone|ipad|macos) mail$/i.test(name) || (/mail/i.test(name) && /^apple/i.test(vendor))) {
    return "apple-mail";
  }
  if (/outlook/i.test(name)) return "outlook";
  if (/^(thunderbird|mozilla thunderbird)$/i.test(name)) return "thunderbird";
  return "other";
}

/** What the server does differently for this client. */
export function quirksFor(client: ClientIdentity | null): ClientQuirks {
  if (client === null) return NO_QUIRKS;
  return { isLsubChildrenShown: client.family === "outlook" };
}
