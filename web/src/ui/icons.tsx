// Small inline SVG icons (no icon font, no emoji font needed, nothing fetched): special-use folders and
// the attachment clip. Decorative: hidden from assistive technology, the text next to them says it.
import type { JSX } from "preact";

const PATHS: Readonly<Record<string, string>> = {
  inbox: "M2 9l2-6h8l2 6v4H2zM2 9h3.5l1 2h3l1-2H14",
  drafts: "M3 13l1-3 7-7 2 2-7 7zM9.5 4.5l2 2",
  sent: "M2 8l12-5-5 12-2-5zM7 10l7-7",
  archive: "M2 3h12v3H2zM3 6v7h10V6M6.5 8.5h3",
  junk: "M8 2l6.5 11.5h-13zM8 6.5v3.5M8 11.5v.5",
  trash: "M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 9h5.6l.7-9",
  folder: "M2 4h4.5l1.5 1.5h6V13H2z",
  attachment: "M10.5 5.5l-4.8 4.8a1.4 1.4 0 0 0 2 2l5.2-5.2a2.8 2.8 0 0 0-4-4L3.7 8.3a4.2 4.2 0 0 0 6 6l4-4",
};

export function Icon({ name }: { readonly name: string }): JSX.Element {
  return (
    <svg
      class="icon"
      viewBox="0 0 16 16"
      width="16"
      height="16"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      stroke-width="1.4"
      stroke-linecap="round"
      stroke-linejoin="round"
    >
      <path d={PATHS[name] ?? PATHS.folder} />
    </svg>
  );
}
