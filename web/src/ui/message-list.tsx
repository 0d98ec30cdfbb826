// The message list: a virtualized ARIA listbox. Only the rows in view (plus a margin) exist in the DOM,
// placed absolutely inside a spacer as tall as all rows, so a mailbox of 100,000 messages scrolls like
// one of ten; the rows in view ask the list model for their windows.
import type { JSX } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ListEmail } from "../jmap/types.js";
import { formatListDate, senderName } from "../mail/format.js";
import { Icon } from "./icons.js";
import { DRAG_TYPE } from "./mailbox-tree.js";

export const ROW_HEIGHT_PX = 64;
const OVERSCAN_ROWS = 10;

export type Row =
  | { readonly kind: "email"; readonly position: number }
  | { readonly kind: "child"; readonly id: string };

interface Props {
  readonly rowCount: number;
  readonly rowAt: (index: number) => Row;
  readonly emailOf: (row: Row) => ListEmail | undefined;
  readonly ensure: (fromPosition: number, toPosition: number) => void;
  readonly focusIndex: number;
  readonly selectedIds: ReadonlySet<string>;
  readonly openedId: string | null;
  readonly threadSizeOf: (email: ListEmail) => number;
  readonly isExpanded: (emailId: string) => boolean;
  readonly onToggleThread: (email: ListEmail) => void;
  readonly onRowClick: (index: number, event: MouseEvent) => void;
  readonly onToggleSelect: (index: number) => void;
  readonly onToggleFlag: (email: ListEmail) => void;
  readonly dragIdsFor: (index: number) => string[];
  readonly isLoading: boolean;
  readonly emptyText: string;
  readonly label: string;
}

export function MessageList(props: Props): JSX.Element {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [heightPx, setHeightPx] = useState(600);

  useLayoutEffect(() => {
    const element = viewport.current;
    if (element === null) return;
    const observer = new ResizeObserver(() => setHeightPx(element.clientHeight));
    observer.observe(element);
    setHeightPx(element.clientHeight);
    return () => observer.disconnect();
  }, []);

  // Keep the focused row in view (j/k and arrow keys move it).
  useEffect(() => {
    const element = viewport.current;
    if (element === null || props.focusIndex < 0) return;
    const top = props.focusIndex * ROW_HEIGHT_PX;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + ROW_HEIGHT_PX > element.scrollTop + element.clientHeight) {
      element.scrollTop = top + ROW_HEIGHT_PX - element.clientHeight;
    }
  }, [props.focusIndex]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT_PX) - OVERSCAN_ROWS);
  const last = Math.min(props.rowCount, Math.ceil((scrollTop + heightPx) / ROW_HEIGHT_PX) + OVERSCAN_ROWS);
  const rows: { index: number; row: Row }[] = [];
  for (let index = first; index < last; index++) rows.push({ index, row: props.rowAt(index) });

  const positions = rows.flatMap(({ row }) => (row.kind === "email" ? [row.position] : []));
  const fromPosition = positions.length > 0 ? Math.min(...positions) : 0;
  const toPosition = positions.length > 0 ? Math.max(...positions) + 1 : 1;
  // After every render: cheap when the windows are loaded, and it reloads the ones a change made stale.
  useEffect(() => props.ensure(fromPosition, toPosition));

  const focusedEmail = props.focusIndex >= 0 ? props.emailOf(props.rowAt(props.focusIndex)) : undefined;
  return (
    <div
      class="message-list"
      ref={viewport}
      onScroll={(event) => setScrollTop((event.currentTarget as HTMLDivElement).scrollTop)}
      role="listbox"
      aria-label={props.label}
      aria-multiselectable="true"
      aria-busy={props.isLoading}
      aria-activedescendant={focusedEmail === undefined ? undefined : `row-${focusedEmail.id}`}
      tabIndex={0}
    >
      {props.rowCount === 0 && !props.isLoading && <p class="empty-list">{props.emptyText}</p>}
      <div class="list-spacer" style={{ height: `${props.rowCount * ROW_HEIGHT_PX}px` }}>
        {rows.map(({ index, row }) => {
          const email = props.emailOf(row);
          const top = `${index * ROW_HEIGHT_PX}px`;
          if (email === undefined) {
            return (
              <div
                key={`placeholder-${index}`}
                class="message-row placeholder"
                style={{ top }}
                role="option"
                tabIndex={-1}
                aria-selected={false}
                aria-posinset={index + 1}
                aria-setsize={props.rowCount}
              >
                <span class="loading-bar" aria-hidden="true" />
              </div>
            );
          }
          const isUnread = email.keywords.$seen !== true;
          const isFlagged = email.keywords.$flagged === true;
          const isSelected = props.selectedIds.has(email.id);
          const threadSize = row.kind === "email" ? props.threadSizeOf(email) : 0;
          const classes = [
            "message-row",
            isUnread ? "unread" : "",
            isSelected ? "selected" : "",
            props.focusIndex === index ? "focused" : "",
            props.openedId === email.id ? "opened" : "",
            row.kind === "child" ? "thread-child" : "",
          ].join(" ");
          return (
            <div
              key={`${row.kind}-${email.id}`}
              id={`row-${email.id}`}
              class={classes}
              style={{ top }}
              role="option"
              tabIndex={-1}
              aria-selected={isSelected || props.openedId === email.id}
              aria-posinset={index + 1}
              aria-setsize={props.rowCount}
              data-email-id={email.id}
              draggable
              onDragStart={(event) => {
                event.dataTransfer?.setData(DRAG_TYPE, JSON.stringify(props.dragIdsFor(index)));
                if (event.dataTransfer) event.dataTransfer.effectAllowed = "move";
              }}
              onClick={(event) => props.onRowClick(index, event)}
              onKeyDown={(event) => {
                if (event.key === " ") {
                  event.preventDefault();
                  props.onToggleSelect(index);
                }
              }}
            >
              <input
                type="checkbox"
                class="row-check"
                checked={isSelected}
                aria-label="Select"
                tabIndex={-1}
                onClick={(event) => {
                  event.stopPropagation();
                  props.onToggleSelect(index);
                }}
              />
              <div class="row-main">
                <div class="row-line">
                  <span class="row-from">{senderName(email.from)}</span>
                  {threadSize > 1 && (
                    <button
                      type="button"
                      class="thread-toggle"
                      tabIndex={-1}
                      aria-expanded={props.isExpanded(email.id)}
                      aria-label={`${threadSize} messages in conversation`}
                      onClick={(event) => {
                        event.stopPropagation();
                        props.onToggleThread(email);
                      }}
                    >
                      {props.isExpanded(email.id) ? "▾" : "▸"} {threadSize}
                    </button>
                  )}
                  {email.hasAttachment && (
                    <span class="row-attachment">
                      <Icon name="attachment" />
                      <span class="visually-hidden">has attachment</span>
                    </span>
                  )}
                  <time class="row-date" dateTime={email.receivedAt}>
                    {formatListDate(email.receivedAt)}
                  </time>
                </div>
                <div class="row-subject">{email.subject || "(no subject)"}</div>
                <div class="row-preview">{email.preview}</div>
              </div>
              <button
                type="button"
                class={`flag-button${isFlagged ? " flagged" : ""}`}
                tabIndex={-1}
                aria-pressed={isFlagged}
                aria-label={isFlagged ? "Flagged" : "Not flagged"}
                onClick={(event) => {
                  event.stopPropagation();
                  props.onToggleFlag(email);
                }}
              >
                {isFlagged ? "★" : "☆"}
              </button>
              {isUnread && <span class="visually-hidden">unread</span>}
            </div>
          );
        })}
      </div>
    </div>
  );
}
