// Reading method arguments (RFC 8620 §3.3): each reader checks one argument's type and throws
// invalidArguments naming it, so handlers work with typed values only.
import { invalidArguments } from "./jmap-error.js";

export type Args = Readonly<Record<string, unknown>>;

/** RFC 8620 §1.2: 1-255 characters of the URL-safe base64 alphabet. */
const ID_SYNTAX = /^[A-Za-z0-9_-]{1,255}$/;

export function isId(value: unknown): value is string {
  return typeof value === "string" && ID_SYNTAX.test(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Refuses arguments the method does not know (RFC 8620 §3.6.2 invalidArguments). */
export function checkKnownArgs(args: Args, known: readonly string[]): void {
  for (const name of Object.keys(args)) {
    if (!known.includes(name)) throw invalidArguments(`Unknown argument "${name}"`);
  }
}

export function readString(args: Args, name: string): string | undefined {
  const value = args[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw invalidArguments(`"${name}" must be a string`);
  return value;
}

export function readRequiredString(args: Args, name: string): string {
  const value = readString(args, name);
  if (value === undefined) throw invalidArguments(`"${name}" is required`);
  return value;
}

export function readBoolean(args: Args, name: string, fallback: boolean): boolean {
  const value = args[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "boolean") throw invalidArguments(`"${name}" must be a boolean`);
  return value;
}

/** An Int (RFC 8620 §1.3) within bounds, or the fallback when absent or null. */
export function readInt(
  args: Args,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = args[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidArguments(`"${name}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** An optional UnsignedInt that may be null (no value). */
export function readOptionalUnsigned(args: Args, name: string): number | null {
  const value = args[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw invalidArguments(`"${name}" must be a non-negative integer`);
  }
  return value;
}

/** A list of Ids, or null (meaning "all"), or absent. */
export function readIds(args: Args, name: string): string[] | null {
  const value = args[name];
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every((id) => typeof id === "string")) {
    throw invalidArguments(`"${name}" must be a list of ids`);
  }
  return value as string[];
}

/** A list of property names, or null (the type's defaults), or absent. */
export function readProperties(
  args: Args,
  name: string,
  known: { has(property: string): boolean },
): string[] | null {
  const value = args[name];
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every((p) => typeof p === "string")) {
    throw invalidArguments(`"${name}" must be a list of property names`);
  }
  for (const property of value as string[]) {
    if (!known.has(property)) throw invalidArguments(`Unknown property "${property}" in "${name}"`);
  }
  return value as string[];
}
