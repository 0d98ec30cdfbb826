// SCRAM-SHA-256 stored keys (RFC 5802 §3, RFC 7677): SaltedPassword = PBKDF2(SASLprep(password), salt, i),
// StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key").
// Serialised as Dovecot's `{SCRAM-SHA-256}i,salt,StoredKey,ServerKey` (base64), so its exports import.
import { createHash, createHmac, pbkdf2, randomBytes } from "node:crypto";

export interface ScramKeys {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/** RFC 7677 §4: at least 4096. Ours is higher; clients compute it once per login. */
export const DEFAULT_SCRAM_ITERATIONS = 10_000;
export const MIN_SCRAM_ITERATIONS = 4096;
/** Bounds imported records: a client must be able to compute the proof in reasonable time. */
export const MAX_SCRAM_ITERATIONS = 1_000_000;
const SALT_BYTES = 16;

export const sha256 = (data: Buffer): Buffer => createHash("sha256").update(data).digest();
export const hmacSha256 = (key: Buffer, data: Buffer | string): Buffer =>
  createHmac("sha256", key).update(data).digest();

/**
 * SASLprep (RFC 4013) as far as passwords need it: non-ASCII spaces map to SPACE, "commonly mapped to
 * nothing" characters are dropped, then NFKC. Prohibited-output and bidi checks are not applied.
 */
// RFC 3454 table B.1, as an alternation: it holds combining characters a character class may not.
const MAPPED_TO_NOTHING = /\u00AD|\u034F|\u1806|[\u180B-\u180D]|\u200C|\u200D|\u2060|[\uFE00-\uFE0F]|\uFEFF/g;

export function saslPrep(text: string): string {
  return text
    .replace(/[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, " ")
    .replace(MAPPED_TO_NOTHING, "")
    .normalize("NFKC");
}

export function saltedPassword(password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(saslPrep(password), "utf8"), salt, iterations, 32, "sha256", (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export function keysFromSaltedPassword(salted: Buffer, salt: Buffer, iterations: number): ScramKeys {
  return {
    iterations,
    salt,
    storedKey: sha256(hmacSha256(salted, "Client Key")),
    serverKey: hmacSha256(salted, "Server Key"),
  };
}

export async function deriveScramKeys(
  password: string,
  iterations: number = DEFAULT_SCRAM_ITERATIONS,
  salt: Buffer = randomBytes(SALT_BYTES),
): Promise<ScramKeys> {
  return keysFromSaltedPassword(await saltedPassword(password, salt, iterations), salt, iterations);
}

export function formatScramKeys(keys: ScramKeys): string {
  const b64 = (bytes: Buffer) => bytes.toString("base64");
  return `{SCRAM-SHA-256}${keys.iterations},${b64(keys.salt)},${b64(keys.storedKey)},${b64(keys.serverKey)}`;
}

const SCRAM_PATTERN =
  /^\{SCRAM-SHA-256\}(\d{1,7}),([A-Za-z0-9+/]+={0,2}),([A-Za-z0-9+/]{43}=),([A-Za-z0-9+/]{43}=)$/;

/** Parses the stored form; null for anything malformed or out of bounds. */
export function parseScramKeys(text: string): ScramKeys | null {
  const match = SCRAM_PATTERN.exec(text);
  if (!match) return null;
  const iterations = Number(match[1]);
  if (iterations < MIN_SCRAM_ITERATIONS || iterations > MAX_SCRAM_ITERATIONS) return null;
  const salt = Buffer.from(match[2] as string, "base64");
  if (salt.length === 0) return null;
  return {
    iterations,
    salt,
    storedKey: Buffer.from(match[3] as string, "base64"),
    serverKey: Buffer.from(match[4] as string, "base64"),
  };
}
