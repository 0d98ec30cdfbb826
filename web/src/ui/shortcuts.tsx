// The keyboard shortcuts (one table, used by the key handler's help and by the `?` dialog).
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";

export const SHORTCUTS: readonly (readonly [keys: string, what: string])[] = [
  ["j / ↓", "Next message"],
  ["k / ↑", "Previous message"],
  ["Enter / o", "Open the focused message"],
  ["x", "Select or unselect the focused message"],
  ["r", "Reply"],
  ["a", "Reply to all"],
  ["f", "Forward"],
  ["e", "Archive"],
  ["#", "Delete (move to Trash)"],
  ["s", "Flag or unflag"],
  ["u", "Mark read or unread"],
  ["/", "Search"],
  ["c", "Compose a new message"],
  ["?", "Show this list"],
  ["Esc", "Close, or clear the selection"],
];

export function ShortcutsHelp({ onClose }: { readonly onClose: () => void }): JSX.Element {
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    dialog.current?.querySelector("button")?.focus();
    return () => previous?.focus();
  }, []);
  return (
    <div class="modal-backdrop">
      <div
        class="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcuts-title"
        ref={dialog}
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            event.stopPropagation();
            onClose();
          }
        }}
      >
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <table class="shortcuts">
          <tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <tr key={keys}>
                <th scope="row">
                  <kbd>{keys}</kbd>
                </th>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
