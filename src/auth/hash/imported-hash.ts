// Verification of password hashes imported from other servers (Dovecot password schemes, doc
// "Password Schemes"): {SHA512-CRYPT}, {SHA256-CRYPT}, {BLF-CRYPT}, {ARGON2ID}, {SSHA512}. Never used for
// new passwords: a successful login with one of these rehashes to scrypt (authenticator.ts).
import { createHash, timingSafeEqual } from "node:crypto";
import bcrypt from "bcryptjs";
import { argon2id } from "hash-wasm";
import { MAX_SHA_CRYPT_ROUNDS, parseShaCrypt, shaCrypt } from "./sha-crypt.js";

export const IMPORTED_SCHEMES = ["SHA512-CRYPT", "SHA256-CRYPT", "BLF-CRYPT", "ARGON2ID", "SSHA512"] as const;
export type ImportedScheme = (typeof IMPORTED_SCHEMES)[number];

export interface ImportedHash {
  readonly scheme: ImportedScheme;
  /** The hash without its `{SCHEME}` prefix. */
  readonly value: string;
}

// Work bounds so one imported record cannot make a login burn seconds of CPU or gigabytes of memory.
const MAX_BCRYPT_COST = 14;
const MAX_ARGON2_MEMORY_KIB = 262_144;
const MAX_ARGON2_PASSES = 10;

const BCRYPT_PATTERN = /^\$2[abxy]?\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const ARGON2ID_PATTERN =
  /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,2})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{16,})$/;

/**
 * Recognises `{SCHEME}value`, and bare crypt strings (`$6$…`, `$5$…`, `$2y$…`, `$argon2id$…`) as found in
 * /etc/shadow-style exports. Returns null for anything else, including well-formed hashes out of bounds.
 */
export function parseImportedHash(stored: string): ImportedHash | null {
  const braced = /^\{([A-Z0-9-]+)\}(.+)$/s.exec(stored);
  const candidate: ImportedHash | null = braced
    ? IMPORTED_SCHEMES.includes(braced[1] as ImportedScheme)
      ? { scheme: braced[1] as ImportedScheme, value: braced[2] as string }
      : null
    : bareScheme(stored);
  return candidate && isWellFormed(candidate) ? candidate : null;
}

function bareScheme(stored: string): ImportedHash | null {
  if (stored.startsWith("$6$")) return { scheme: "SHA512-CRYPT", value: stored };
  if (stored.startsWith("$5$")) return { scheme: "SHA256-CRYPT", value: stored };
  if (/^\$2[abxy]?\$/.test(stored)) return { scheme: "BLF-CRYPT", value: stored };
  if (stored.startsWith("$argon2id$")) return { scheme: "ARGON2ID", value: stored };
  return null;
}

function isWellFormed({ scheme, value }: ImportedHash): boolean {
  switch (scheme) {
    case "SHA512-CRYPT":
    case "SHA256-CRYPT": {
      const parsed = parseShaCrypt(value);
      return (
        parsed !== null &&
        parsed.variant === (scheme === "SHA512-CRYPT" ? "6" : "5") &&
        (parsed.rounds ?? 0) <= MAX_SHA_CRYPT_ROUNDS
      );
    }
    case "BLF-CRYPT": {
      const match = BCRYPT_PATTERN.exec(value);
      return match !== null && Number(match[1]) >= 4 && Number(match[1]) <= MAX_BCRYPT_COST;
    }
    case "ARGON2ID": {
      const match = ARGON2ID_PATTERN.exec(value);
      if (!match) return false;
      const [m, t, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
      return m >= 8 * p && m <= MAX_ARGON2_MEMORY_KIB && t >= 1 && t <= MAX_ARGON2_PASSES && p >= 1;
    }
    case "SSHA512": {
      const bytes = decodeBase64(value);
      return bytes !== null && bytes.length > 64;
    }
  }
}

/** Whether `password` matches the imported hash. The password is used as its UTF-8 bytes, unnormalised. */
export async function verifyImportedHash(password: string, hash: ImportedHash): Promise<boolean> {
  const bytes = Buffer.from(password, "utf8");
  switch (hash.scheme) {
    case "SHA512-CRYPT":
    case "SHA256-CRYPT": {
      const parsed = parseShaCrypt(hash.value);
      if (!parsed) return false;
      return equalStrings(shaCrypt(bytes, parsed.salt, parsed.variant, parsed.rounds), hash.value);
    }
    case "BLF-CRYPT":
      // bcryptjs knows $2a$/$2b$; $2y$ (PHP, Dovecot) and $2x$ differ only in a bug it does not have.
      return bcrypt.compare(password, hash.value.replace(/^\$2[xy]\$/, "$2b$"));
    case "ARGON2ID": {
      const match = ARGON2ID_PATTERN.exec(hash.value);
      if (!match) return false;
      const salt = Buffer.from(match[4] as string, "base64");
      const expected = Buffer.from(match[5] as string, "base64");
      // hash-wasm: Argon2 compiled to WebAssembly, no native addon.
      const key = await argon2id({
        password: bytes,
        salt,
        memorySize: Number(match[1]),
        iterations: Number(match[2]),
        parallelism: Number(match[3]),
        hashLength: expected.length,
        outputType: "binary",
      });
      return key.length === expected.length && timingSafeEqual(key, expected);
    }
    case "SSHA512": {
      const decoded = decodeBase64(hash.value);
      if (!decoded) return false;
      const digest = decoded.subarray(0, 64);
      const salt = decoded.subarray(64);
      return timingSafeEqual(createHash("sha512").update(bytes).update(salt).digest(), digest);
    }
  }
}

function equalStrings(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function decodeBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  return Buffer.from(text, "base64");
}
