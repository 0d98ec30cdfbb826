// Application passwords (issue 6): random secrets of 100 bits, shown once and stored as SHA-256. A slow
// hash protects low-entropy human passwords; these are machine-made, so a fast one suffices, and it
// lets a login try all of an account's app passwords without a timing difference worth measuring.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
const GROUPS = 5;
const GROUP_CHARS = 4;
const PREFIX = "$app-sha256$";

/** `xxxx-xxxx-xxxx-xxxx-xxxx`: 20 characters of a 32-letter alphabet without look-alikes. */
export function generateAppPassword(): string {
  const bytes = randomBytes(GROUPS * GROUP_CHARS);
  const chars = [...bytes].map((byte) => ALPHABET[byte % ALPHABET.length]);
  const groups: string[] = [];
  for (let i = 0; i < GROUPS; i++) groups.push(chars.slice(i * GROUP_CHARS, (i + 1) * GROUP_CHARS).join(""));
  return groups.join("-");
}

/** Case, spaces and dashes do not matter: phones capitalise and people regroup. */
function canonical(password: string): string {
  return password.toLowerCase().replace(/[\s-]/g, "");
}

export function hashAppPassword(password: string): string {
  return PREFIX + createHash("sha256").update(canonical(password)).digest("base64");
}

export function verifyAppPassword(password: string, stored: string): boolean {
  if (!stored.startsWith(PREFIX)) return false;
  const expected = Buffer.from(stored.slice(PREFIX.length), "base64");
  const actual = createHash("sha256").update(canonical(password)).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Whether a typed password could be an app password at all (skips hashing for ordinary ones). */
export function looksLikeAppPassword(password: string): boolean {
  return canonical(password).length === GROUPS * GROUP_CHARS;
}
