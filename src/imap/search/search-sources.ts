// Which mailboxes an ESEARCH `IN (…)` names (RFC 7377 §2, with RFC 5465 §6's specifiers): read the way
// NOTIFY reads them here, so the two agree — every personal mailbox counts as an inbox (mail can be
// delivered to any folder), `subtree x` is x and everything below it, `subtree-one x` x and its
// children, names that match no mailbox are ignored.

import type { MailboxId } from "../../kit/ids.js";
import { HIERARCHY_DELIMITER, normalizeMailboxName } from "../../mail/mailbox-name.js";
import type { MailboxRecord } from "../../store/mail-store.js";
import type { SearchSource } from "../wire/command.js";

function canonicalName(name: string): string | null {
  try {
    return normalizeMailboxName(name);
  } catch {
    return null;
  }
}

/** The mailboxes of `all` that `sources` name, each once, in name order. */
export function resolveSearchSources(
  sources: readonly SearchSource[],
  all: readonly MailboxRecord[],
  selectedId: MailboxId | null,
): MailboxRecord[] {
  const picked = new Set<MailboxId>();
  for (const source of sources) {
    switch (source.kind) {
      case "selected":
      case "selected-delayed":
        if (selectedId !== null) picked.add(selectedId);
        break;
      case "inboxes":
      case "personal":
        for (const mailbox of all) picked.add(mailbox.id);
        break;
      case "subscribed":
        for (const mailbox of all) if (mailbox.subscribed) picked.add(mailbox.id);
        break;
      case "mailboxes":
      case "subtree":
      case "subtree-one": {
        const roots = source.mailboxes.map(canonicalName).filter((n): n is string => n !== null);
        for (const mailbox of all) {
          const isMatch = roots.some((root) => {
            if (mailbox.name === root) return true;
            if (source.kind === "mailboxes" || !mailbox.name.startsWith(`${root}${HIERARCHY_DELIMITER}`))
              return false;
            return (
              source.kind === "subtree" || !mailbox.name.slice(root.length + 1).includes(HIERARCHY_DELIMITER)
            );
          });
          if (isMatch) picked.add(mailbox.id);
        }
        break;
      }
    }
  }
  return all
    .filter((mailbox) => picked.has(mailbox.id))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
