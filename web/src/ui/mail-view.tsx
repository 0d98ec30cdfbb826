// The three panes: folders, the message list and the reading pane, with the search box, the keyboard
// shortcuts, multi-selection, drag and drop, and live updates (push → mailboxes and list refetched).
import type { JSX } from "preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { type JmapClient, SessionExpired } from "../jmap/client.js";
import { openPushStream } from "../jmap/event-stream.js";
import type { FullEmail, ListEmail, Mailbox } from "../jmap/types.js";
import { destroyEmails, emptyMailbox, mailboxWithRole, moveEmails, setKeyword } from "../mail/actions.js";
import { parseSearch, searchFilter } from "../mail/search-query.js";
import { Compose, type ComposeInit } from "./compose.js";
import { ListModel } from "./list-model.js";
import { MailboxTree } from "./mailbox-tree.js";
import { MessageList, type Row } from "./message-list.js";
import { loadFullEmail, Reader } from "./reader.js";
import { ShortcutsHelp } from "./shortcuts.js";

interface Props {
  readonly client: JmapClient;
  readonly onLogout: () => void;
}

const MAILBOX_PROPERTIES = ["id", "name", "parentId", "role", "sortOrder", "totalEmails", "unreadEmails"];

/** Whether a key press belongs to a text field rather than to the shortcuts. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export function MailView({ client, onLogout }: Props): JSX.Element {
  const [mailboxes, setMailboxes] = useState<Mailbox[]>([]);
  const [mailboxId, setMailboxId] = useState<string | null>(null);
  const [searchInput, setSearchInput] = useState("");
  const [search, setSearch] = useState("");
  const [collapseThreads, setCollapseThreads] = useState(true);
  const [, setTick] = useState(0);
  const [focusIndex, setFocusIndex] = useState(-1);
  const [selectedIds, setSelectedIds] = useState<ReadonlySet<string>>(new Set());
  const [anchorIndex, setAnchorIndex] = useState(-1);
  const [opened, setOpened] = useState<ListEmail | null>(null);
  const [expanded, setExpanded] = useState<ReadonlyMap<string, string>>(new Map());
  const [compose, setCompose] = useState<ComposeInit | null>(null);
  const [showHelp, setShowHelp] = useState(false);
  const [showFolders, setShowFolders] = useState(false);
  const [status, setStatus] = useState("");
  const [isLive, setLive] = useState(false);
  const searchBox = useRef<HTMLInputElement>(null);
  const openedFull = useRef<FullEmail | null>(null);

  const fail = useCallback(
    (error: unknown) => {
      if (error instanceof SessionExpired) onLogout();
      else setStatus(error instanceof Error ? error.message : String(error));
    },
    [onLogout],
  );

  const loadMailboxes = useCallback(async () => {
    const got = await client.call<{ list: Mailbox[] }>("Mailbox/get", {
      ids: null,
      properties: MAILBOX_PROPERTIES,
    });
    setMailboxes(got.list);
    setMailboxId(
      (current) => current ?? got.list.find((m) => m.role === "inbox")?.id ?? got.list[0]?.id ?? null,
    );
  }, [client]);

  useEffect(() => {
    loadMailboxes().catch(fail);
  }, [loadMailboxes, fail]);

  const parsedSearch = useMemo(() => parseSearch(search), [search]);
  const filterKey = JSON.stringify([mailboxId, parsedSearch.conditions, collapseThreads]);
  // A search looks in all folders unless it names none of the search words (then it is the folder).
  const isSearching = parsedSearch.conditions.length > 0;
  const model = useMemo(() => {
    const filter = searchFilter(isSearching ? null : mailboxId, parsedSearch.conditions);
    return new ListModel(client, { filter, collapseThreads: collapseThreads && !isSearching }, () =>
      setTick((t) => t + 1),
    );
  }, [client, filterKey]);
  useEffect(() => () => model.close(), [model]);
  useEffect(() => {
    setFocusIndex(-1);
    setSelectedIds(new Set());
    setExpanded(new Map());
  }, [model]);

  const refresh = useCallback(() => {
    model.invalidate();
    setTick((t) => t + 1);
    loadMailboxes().catch(fail);
  }, [model, loadMailboxes, fail]);
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;
  const onLogoutRef = useRef(onLogout);
  onLogoutRef.current = onLogout;

  // Live updates: a burst of StateChange events becomes one refetch.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = openPushStream(client, {
      onChange: () => {
        clearTimeout(timer);
        timer = setTimeout(() => refreshRef.current(), 50);
      },
      onStatus: setLive,
      onExpired: () => onLogoutRef.current(),
    });
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [client]);

  // Rows: the query's positions, with the other messages of expanded conversations after their row.
  const expansions = (() => {
    const list: { position: number; childIds: string[] }[] = [];
    for (const [emailId, threadId] of expanded) {
      const position = model.positionOf(emailId);
      const ids = model.threads.get(threadId);
      if (position < 0 || ids === undefined) continue;
      list.push({ position, childIds: ids.filter((id) => id !== emailId).reverse() });
    }
    return list.sort((a, b) => a.position - b.position);
  })();
  const rowCount = (model.total ?? 0) + expansions.reduce((sum, e) => sum + e.childIds.length, 0);
  const rowAt = (index: number): Row => {
    let offset = 0;
    for (const expansion of expansions) {
      const at = expansion.position + offset;
      if (index <= at) break;
      if (index <= at + expansion.childIds.length) {
        return { kind: "child", id: expansion.childIds[index - at - 1] as string };
      }
      offset += expansion.childIds.length;
    }
    return { kind: "email", position: index - offset };
  };
  const emailOf = (row: Row): ListEmail | undefined =>
    row.kind === "email" ? model.emailAt(row.position) : model.emails.get(row.id);
  // Until Mailbox/get names the folder to show, there is nothing to ask for: a query without the folder
  // would run over every Email of the account, on the server's time the folder's first window needs.
  const isWaitingForFolder = !isSearching && mailboxId === null;
  const ensure = useCallback(
    (from: number, to: number) => {
      if (!isWaitingForFolder) model.ensure(from, to);
    },
    [model, isWaitingForFolder],
  );

  const targetEmails = (): ListEmail[] => {
    if (selectedIds.size > 0) {
      return [...selectedIds].flatMap((id) => {
        const email = model.emails.get(id);
        return email === undefined ? [] : [email];
      });
    }
    if (opened !== null) return [model.emails.get(opened.id) ?? opened];
    const focused = focusIndex >= 0 ? emailOf(rowAt(focusIndex)) : undefined;
    return focused === undefined ? [] : [focused];
  };

  const run = (what: Promise<unknown>, done?: string): void => {
    what
      .then(() => done !== undefined && setStatus(done))
      .catch(fail)
      .finally(refresh);
  };

  const openIndex = (index: number): void => {
    const email = emailOf(rowAt(index));
    setFocusIndex(index);
    if (email === undefined) return;
    setOpened(email);
    openedFull.current = null;
    if (email.keywords.$seen !== true) {
      model.patchEmail(email.id, { keywords: { ...email.keywords, $seen: true } });
      run(setKeyword(client, [email.id], "$seen", true));
    }
  };

  const moveTo = (target: string, emails: ListEmail[] = targetEmails()): void => {
    if (emails.length === 0) return;
    const name = mailboxes.find((m) => m.id === target)?.name ?? "folder";
    if (opened !== null && emails.some((e) => e.id === opened.id)) setOpened(null);
    setSelectedIds(new Set());
    run(
      moveEmails(client, emails, target, isSearching ? null : mailboxId),
      `${emails.length === 1 ? "Message" : `${emails.length} messages`} moved to ${name}`,
    );
  };

  const archive = (): void => {
    const target = mailboxWithRole(mailboxes, "archive");
    if (target === undefined) setStatus("There is no Archive folder.");
    else moveTo(target.id);
  };

  const remove = (): void => {
    const emails = targetEmails();
    const trash = mailboxWithRole(mailboxes, "trash");
    if (emails.length === 0) return;
    if (trash === undefined || (!isSearching && mailboxId === trash.id)) {
      if (
        !window.confirm(
          `Delete ${emails.length === 1 ? "this message" : `${emails.length} messages`} for good?`,
        )
      ) {
        return;
      }
      if (opened !== null && emails.some((e) => e.id === opened.id)) setOpened(null);
      setSelectedIds(new Set());
      run(
        destroyEmails(
          client,
          emails.map((e) => e.id),
        ),
        "Deleted",
      );
      return;
    }
    moveTo(trash.id, emails);
  };

  const toggleKeyword = (keyword: string, emails: ListEmail[] = targetEmails()): void => {
    if (emails.length === 0) return;
    const isSet = !emails.every((e) => e.keywords[keyword] === true);
    for (const email of emails) {
      model.patchEmail(email.id, { keywords: { ...email.keywords, [keyword]: isSet } });
    }
    if (opened !== null && emails.some((e) => e.id === opened.id)) {
      setOpened({ ...opened, keywords: { ...opened.keywords, [keyword]: isSet } });
    }
    setTick((t) => t + 1);
    run(
      setKeyword(
        client,
        emails.map((e) => e.id),
        keyword,
        isSet,
      ),
    );
  };

  const emptyTrash = (): void => {
    const trash = mailboxWithRole(mailboxes, "trash");
    if (trash === undefined) return;
    if (!window.confirm(`Delete all ${trash.totalEmails} messages in Trash for good?`)) return;
    setOpened(null);
    run(emptyMailbox(client, trash.id), "Trash emptied");
  };

  const withFull = (then: (email: FullEmail) => void): void => {
    if (opened === null) return;
    if (openedFull.current?.id === opened.id) {
      then(openedFull.current);
      return;
    }
    loadFullEmail(client, opened.id)
      .then((email) => email !== null && then(email))
      .catch(fail);
  };

  const toggleSelect = (index: number): void => {
    const email = emailOf(rowAt(index));
    if (email === undefined) return;
    const next = new Set(selectedIds);
    if (next.has(email.id)) next.delete(email.id);
    else next.add(email.id);
    setSelectedIds(next);
    setAnchorIndex(index);
  };

  const onRowClick = (index: number, event: MouseEvent): void => {
    if (event.ctrlKey || event.metaKey) {
      // As in desktop mail clients, the open message is the start of a selection made with Ctrl-click.
      const email = emailOf(rowAt(index));
      if (email === undefined) return;
      const next = new Set(selectedIds.size === 0 && opened !== null ? [opened.id] : selectedIds);
      if (next.has(email.id)) next.delete(email.id);
      else next.add(email.id);
      setSelectedIds(next);
      setAnchorIndex(index);
      return;
    }
    if (event.shiftKey && anchorIndex >= 0) {
      const next = new Set(selectedIds);
      for (let i = Math.min(anchorIndex, index); i <= Math.max(anchorIndex, index); i++) {
        const email = emailOf(rowAt(i));
        if (email !== undefined) next.add(email.id);
      }
      setSelectedIds(next);
      setFocusIndex(index);
      return;
    }
    setSelectedIds(new Set());
    setAnchorIndex(index);
    openIndex(index);
  };

  const dragIdsFor = (index: number): string[] => {
    const email = emailOf(rowAt(index));
    if (email === undefined) return [];
    return selectedIds.has(email.id) ? [...selectedIds] : [email.id];
  };

  const onDropEmails = (target: string, ids: string[]): void => {
    const emails = ids.flatMap((id) => {
      const email = model.emails.get(id);
      return email === undefined ? [] : [email];
    });
    moveTo(target, emails);
  };

  const toggleThread = (email: ListEmail): void => {
    const next = new Map(expanded);
    if (next.has(email.id)) next.delete(email.id);
    else {
      next.set(email.id, email.threadId);
      void model.fetchEmails(model.threads.get(email.threadId) ?? []).catch(fail);
    }
    setExpanded(next);
  };

  const rememberFull = useCallback((email: FullEmail) => {
    openedFull.current = email;
  }, []);

  const keyHandler = useRef<(event: KeyboardEvent) => void>(() => undefined);
  keyHandler.current = (event: KeyboardEvent): void => {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    if (showHelp || compose !== null) {
      if (event.key === "Escape" && showHelp) setShowHelp(false);
      return;
    }
    const key = event.key;
    const handled = ((): boolean => {
      switch (key) {
        case "j":
        case "ArrowDown":
          if (rowCount > 0) openIndex(Math.min(rowCount - 1, focusIndex + 1));
          return true;
        case "k":
        case "ArrowUp":
          if (rowCount > 0) openIndex(Math.max(0, focusIndex - 1));
          return true;
        case "Enter":
        case "o":
          if (focusIndex >= 0) openIndex(focusIndex);
          return true;
        case "x":
          if (focusIndex >= 0) toggleSelect(focusIndex);
          return true;
        case "r":
          withFull((email) => setCompose({ mode: "reply", source: email }));
          return true;
        case "a":
          withFull((email) => setCompose({ mode: "replyAll", source: email }));
          return true;
        case "f":
          withFull((email) => setCompose({ mode: "forward", source: email }));
          return true;
        case "e":
          archive();
          return true;
        case "#":
        case "Delete":
          remove();
          return true;
        case "s":
          toggleKeyword("$flagged");
          return true;
        case "u":
          toggleKeyword("$seen");
          return true;
        case "/":
          searchBox.current?.focus();
          return true;
        case "c":
          setCompose({ mode: "new" });
          return true;
        case "?":
          setShowHelp(true);
          return true;
        case "Escape":
          if (selectedIds.size > 0) setSelectedIds(new Set());
          else setOpened(null);
          return true;
        default:
          return false;
      }
    })();
    if (handled) event.preventDefault();
  };
  useEffect(() => {
    const listener = (event: KeyboardEvent): void => keyHandler.current(event);
    document.addEventListener("keydown", listener);
    return () => document.removeEventListener("keydown", listener);
  }, []);

  const currentMailbox = mailboxes.find((m) => m.id === mailboxId);
  const listLabel = isSearching ? `Search results for ${search}` : (currentMailbox?.name ?? "Messages");

  return (
    <div class={`mail${opened !== null ? " reading" : ""}${showFolders ? " folders-open" : ""}`}>
      <header class="topbar">
        <button
          type="button"
          class="menu-button"
          aria-label="Folders"
          aria-expanded={showFolders}
          onClick={() => setShowFolders(!showFolders)}
        >
          ☰
        </button>
        <span class="brand" aria-hidden="true">
          ✉ Postfach
        </span>
        <search class="search">
          <form
            onSubmit={(event) => {
              event.preventDefault();
              setSearch(searchInput.trim());
              setOpened(null);
              searchBox.current?.blur();
            }}
          >
            <input
              ref={searchBox}
              type="search"
              aria-label="Search mail"
              placeholder="Search mail"
              title="Words, or from: to: subject: body: after:YYYY-MM-DD before:YYYY-MM-DD has:attachment is:unread"
              value={searchInput}
              onInput={(event) => {
                const value = (event.currentTarget as HTMLInputElement).value;
                setSearchInput(value);
                if (value === "") setSearch("");
              }}
              onKeyDown={(event) => {
                if (event.key === "Escape") {
                  setSearchInput("");
                  setSearch("");
                  (event.currentTarget as HTMLInputElement).blur();
                }
              }}
            />
          </form>
        </search>
        <button type="button" class="primary compose-button" onClick={() => setCompose({ mode: "new" })}>
          Compose
        </button>
        <span class={`live${isLive ? " on" : ""}`} title={isLive ? "Live updates on" : "Reconnecting…"}>
          <span class="visually-hidden">{isLive ? "Live updates on" : "Live updates reconnecting"}</span>
        </span>
        <button type="button" aria-label="Keyboard shortcuts" onClick={() => setShowHelp(true)}>
          ?
        </button>
        <button type="button" onClick={onLogout} title={client.session.username}>
          Sign out
        </button>
      </header>
      <div class="panes">
        <MailboxTree
          mailboxes={mailboxes}
          selectedId={isSearching ? null : mailboxId}
          onSelect={(id) => {
            setMailboxId(id);
            setSearch("");
            setSearchInput("");
            setOpened(null);
            setShowFolders(false);
          }}
          onDropEmails={onDropEmails}
          onEmptyTrash={emptyTrash}
        />
        <section class="list-pane" aria-label={listLabel}>
          <div class="list-header">
            <h1 class="list-title">{listLabel}</h1>
            {model.total !== null && <span class="list-count">{model.total.toLocaleString()}</span>}
            {!isSearching && (
              <label class="threads-toggle">
                <input
                  type="checkbox"
                  checked={collapseThreads}
                  onChange={(event) => setCollapseThreads((event.currentTarget as HTMLInputElement).checked)}
                />
                Conversations
              </label>
            )}
          </div>
          {parsedSearch.problems.length > 0 && (
            <p class="error" role="alert">
              Not understood: {parsedSearch.problems.join(" ")}
            </p>
          )}
          {model.error !== null && (
            <p class="error" role="alert">
              {model.error}
            </p>
          )}
          {selectedIds.size > 0 && (
            <div class="toolbar selection-bar" role="toolbar" aria-label="Selected messages">
              <span>{selectedIds.size} selected</span>
              <button type="button" onClick={() => toggleKeyword("$seen")}>
                Read/unread
              </button>
              <button type="button" onClick={() => toggleKeyword("$flagged")}>
                Flag
              </button>
              <button type="button" onClick={archive}>
                Archive
              </button>
              <button type="button" onClick={remove}>
                Delete
              </button>
              <button type="button" onClick={() => setSelectedIds(new Set())}>
                Clear
              </button>
            </div>
          )}
          <MessageList
            rowCount={rowCount}
            rowAt={rowAt}
            emailOf={emailOf}
            ensure={ensure}
            focusIndex={focusIndex}
            selectedIds={selectedIds}
            openedId={opened?.id ?? null}
            threadSizeOf={(email) =>
              model.query.collapseThreads ? (model.threads.get(email.threadId)?.length ?? 1) : 1
            }
            isExpanded={(id) => expanded.has(id)}
            onToggleThread={toggleThread}
            onRowClick={onRowClick}
            onToggleSelect={toggleSelect}
            onToggleFlag={(email) => toggleKeyword("$flagged", [email])}
            dragIdsFor={dragIdsFor}
            isLoading={model.total === null}
            emptyText={isSearching ? "No messages match." : "No messages in this folder."}
            label={listLabel}
          />
        </section>
        <section class="reader-pane" aria-label="Reading pane">
          {opened === null ? (
            <p class="reader-empty">Select a message to read it. Press ? for keyboard shortcuts.</p>
          ) : (
            <Reader
              client={client}
              preview={model.emails.get(opened.id) ?? opened}
              mailboxes={mailboxes}
              onLoaded={rememberFull}
              actions={{
                onReply: (email, all) => setCompose({ mode: all ? "replyAll" : "reply", source: email }),
                onForward: (email, asAttachment) =>
                  setCompose({ mode: asAttachment ? "forwardAttachment" : "forward", source: email }),
                onArchive: archive,
                onDelete: remove,
                onToggleRead: () => toggleKeyword("$seen", [model.emails.get(opened.id) ?? opened]),
                onToggleFlag: () => toggleKeyword("$flagged", [model.emails.get(opened.id) ?? opened]),
                onMove: (target) => moveTo(target, [model.emails.get(opened.id) ?? opened]),
                onClose: () => setOpened(null),
              }}
            />
          )}
        </section>
      </div>
      <output class="status" aria-live="polite">
        {status}
      </output>
      {compose !== null && (
        <Compose
          client={client}
          init={compose}
          mailboxes={mailboxes}
          onClose={(message) => {
            setCompose(null);
            if (message !== undefined) setStatus(message);
            refresh();
          }}
        />
      )}
      {showHelp && <ShortcutsHelp onClose={() => setShowHelp(false)} />}
    </div>
  );
}
