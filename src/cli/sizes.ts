// Human-friendly byte sizes for the CLI: "500M" in, "1.5 MB" out (binary multiples, as quotas are).
import { CliUsageError } from "./read-password.js";

const UNITS: Readonly<Record<string, number>> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Parses "1048576", "500K", "2G" (case-insensitive, optional trailing B); 0 or "unlimited" → null. */
export function parseSize(text: string): number | null {
  if (text === "unlimited") return null;
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]?)B?$/i.exec(text.trim());
  if (!match) throw new CliUsageError(`Not a size: ${text} (examples: 500M, 2G, 1048576)`);
  const bytes = Math.round(Number(match[1]) * (UNITS[(match[2] ?? "").toUpperCase()] ?? 1));
  return bytes === 0 ? null : bytes;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
