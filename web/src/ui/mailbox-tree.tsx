// The folder tree: mailboxes by parentId, special-use folders first with their icon, unread counts; a
// folder takes dropped messages (drag and drop from the list). ARIA tree with arrow-key navigation.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { Mailbox } from "../jmap/types.js";
import { Icon } from "./icons.js";

const ROLE_ORDER = ["inbox", "drafts", "sent", "archive", "junk", "trash"];

export const DRAG_TYPE = "application/x-postfach-emails";

interface Props {
  readonly mailboxes: readonly Mailbox[];
  readonly selectedId: string | null;
  readonly onSelect: (id: string) => void;
  readonly onDropEmails: (mailboxId: string, emailIds: string[]) => void;
  readonly onEmptyTrash: () => void;
}

interface Node {
  readonly mailbox: Mailbox;
  readonly depth: number;
}

function orderKey(mailbox: Mailbox): [number, number, string] {
  const roleIndex = mailbox.role === null ? ROLE_ORDER.length : ROLE_ORDER.indexOf(mailbox.role);
  return [roleIndex < 0 ? ROLE_ORDER.length : roleIndex, mailbox.sortOrder, mailbox.name.toLowerCase()];
}

function compare(a: Mailbox, b: Mailbox): number {
  const [ra, sa, na] = orderKey(a);
  const [rb, sb, nb] = orderKey(b);
  return ra - rb || sa - sb || (na < nb ? -1 : na > nb ? 1 : 0);
}

/** Depth-first order of the tree, each mailbox with its depth. */
export function flattenTree(mailboxes: readonly Mailbox[]): Node[] {
  const children = new Map<string | null, Mailbox[]>();
  const ids = new Set(mailboxes.map((m) => m.id));
  for (const mailbox of mailboxes) {
    const parent = mailbox.parentId !== null && ids.has(mailbox.parentId) ? mailbox.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(mailbox);
    children.set(parent, list);
  }
  const result: Node[] = [];
  const visit = (parent: string | null, depth: number): void => {
    for (const mailbox of (children.get(parent) ?? []).sort(compare)) {
      result.push({ mailbox, depth });
      visit(mailbox.id, depth + 1);
    }
  };
  visit(null, 0);
  return result;
}

export function MailboxTree({
  mailboxes,
  selectedId,
  onSelect,
  onDropEmails,
  onEmptyTrash,
}: Props): JSX.Element {
  const nodes = flattenTree(mailboxes);
  const [dropTarget, setDropTarget] = useState<string | null>(null);

  const onKeyDown = (event: KeyboardEvent, index: number): void => {
    const move = (to: number): void => {
      const node = nodes[Math.max(0, Math.min(nodes.length - 1, to))];
      if (node === undefined) return;
      onSelect(node.mailbox.id);
      document.getElementById(`mailbox-${node.mailbox.id}`)?.focus();
    };
    if (event.key === "ArrowDown") move(index + 1);
    else if (event.key === "ArrowUp") move(index - 1);
    else if (event.key === "Home") move(0);
    else if (event.key === "End") move(nodes.length - 1);
    else return;
    event.preventDefault();
    event.stopPropagation();
  };

  return (
    <nav class="folders" aria-label="Folders">
      <div role="tree" aria-label="Folders" class="folder-list">
        {nodes.map(({ mailbox, depth }, index) => {
          const isSelected = mailbox.id === selectedId;
          const label = mailbox.name.split("/").pop() ?? mailbox.name;
          return (
            <div
              key={mailbox.id}
              id={`mailbox-${mailbox.id}`}
              role="treeitem"
              aria-level={depth + 1}
              aria-selected={isSelected}
              tabIndex={isSelected || (selectedId === null && index === 0) ? 0 : -1}
              class={`folder${isSelected ? " selected" : ""}${dropTarget === mailbox.id ? " drop-target" : ""}`}
              style={{ paddingLeft: `${0.75 + depth * 1}rem` }}
              data-role={mailbox.role ?? undefined}
              data-mailbox-name={mailbox.name}
              onClick={() => onSelect(mailbox.id)}
              onKeyDown={(event) => onKeyDown(event, index)}
              onDragOver={(event) => {
                if (!event.dataTransfer?.types.includes(DRAG_TYPE)) return;
                event.preventDefault();
                event.dataTransfer.dropEffect = "move";
                setDropTarget(mailbox.id);
              }}
              onDragLeave={() => setDropTarget((current) => (current === mailbox.id ? null : current))}
              onDrop={(event) => {
                event.preventDefault();
                setDropTarget(null);
                const data = event.dataTransfer?.getData(DRAG_TYPE);
                if (data) onDropEmails(mailbox.id, JSON.parse(data) as string[]);
              }}
            >
              <Icon name={mailbox.role ?? "folder"} />
              <span class="folder-name">{label}</span>
              {mailbox.unreadEmails > 0 && (
                <span class="unread-count">
                  {mailbox.unreadEmails}
                  <span class="visually-hidden"> unread</span>
                </span>
              )}
              {mailbox.role === "trash" && mailbox.totalEmails > 0 && isSelected && (
                <button
                  type="button"
                  class="link-button empty-trash"
                  onClick={(event) => {
                    event.stopPropagation();
                    onEmptyTrash();
                  }}
                >
                  Empty
                </button>
              )}
            </div>
          );
        })}
      </div>
    </nav>
  );
}
