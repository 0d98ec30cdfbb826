// Display helpers: addresses, dates and sizes as the lists and the reading pane show them.
import type { EmailAddress } from "../jmap/types.js";

export function formatAddress(address: EmailAddress): string {
  return address.name ? `${address.name} <${address.email}>` : address.email;
}

export function formatAddresses(list: readonly EmailAddress[] | null | undefined): string {
  return (list ?? []).map(formatAddress).join(", ");
}

/** The sender as a list shows it: the name, or the address without a name. */
export function senderName(list: readonly EmailAddress[] | null | undefined): string {
  const first = list?.[0];
  if (first === undefined) return "(no sender)";
  return first.name || first.email;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Today: the time; this year: day and month; else the date. */
export function formatListDate(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (date.toDateString() === now.toDateString()) {
    return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  }
  if (date.getFullYear() === now.getFullYear()) {
    return date.toLocaleDateString(undefined, { day: "numeric", month: "short" });
  }
  return date.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

export function formatFullDate(iso: string | null): string {
  return iso === null
    ? ""
    : new Date(iso).toLocaleString(undefined, { dateStyle: "full", timeStyle: "short" });
}

/** Parses "Name <a@b>, c@d" as the compose fields accept them. */
export function parseAddressList(text: string): EmailAddress[] {
  const result: EmailAddress[] = [];
  for (const piece of text.split(/[,;](?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
    const trimmed = piece.trim();
    if (trimmed === "") continue;
    const angle = /^(.*)<([^<>\s]+)>$/.exec(trimmed);
    if (angle !== null) {
      const name = (angle[1] ?? "").trim().replace(/^"(.*)"$/, "$1");
      result.push({ name: name === "" ? null : name, email: angle[2] as string });
    } else result.push({ name: null, email: trimmed });
  }
  return result;
}

export function isValidEmail(address: string): boolean {
  return /^[^\s@<>()",;]+@[^\s@<>()",;]+$/.test(address);
}
