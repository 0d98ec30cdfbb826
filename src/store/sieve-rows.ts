// Sieve script rows (RFC 5804 storage) as both backends store them, their mapping to SieveScriptRecord, and
// the limit rule of SieveScriptRepository.put, so SQLite and PostgreSQL decide alike.
import type { SieveScriptLimits, SieveScriptPutOutcome, SieveScriptRecord } from "./mail-store.js";

/** A sieve_scripts row: SQLite gives is_active as 0/1, PostgreSQL as a boolean and int8 as strings. */
export interface SieveScriptRow {
  name: string;
  content: string;
  size: string | number;
  is_active: number | boolean;
  updated_at: string | number;
}

export const SIEVE_SCRIPT_COLUMNS = "name, content, size, is_active, updated_at";

export const toSieveScriptRecord = (row: SieveScriptRow): SieveScriptRecord => ({
  name: row.name,
  content: row.content,
  sizeBytes: Number(row.size),
  isActive: Number(row.is_active) === 1,
  updatedAtMs: Number(row.updated_at),
});

/** The account's scripts before a put: how many, their bytes, and the bytes of the one of that name. */
export interface SieveTotalsRow {
  count: string | number;
  bytes: string | number | null;
  mine: string | number | null;
}

/** Why a put of `sizeBytes` is refused, or null when it fits: replacing a script never counts twice. */
export function sievePutRefusal(
  totals: SieveTotalsRow | undefined,
  sizeBytes: number,
  limits: SieveScriptLimits,
): Exclude<SieveScriptPutOutcome, "stored"> | null {
  const existing = totals?.mine ?? null;
  const count = Number(totals?.count ?? 0) + (existing === null ? 1 : 0);
  const bytes = Number(totals?.bytes ?? 0) - Number(existing ?? 0) + sizeBytes;
  if (existing === null && count > limits.maxScripts) return "tooManyScripts";
  if (bytes > limits.maxTotalBytes && sizeBytes > Number(existing ?? 0)) return "accountFull";
  return null;
}
