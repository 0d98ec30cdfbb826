// The crypt(3) SHA-crypt scheme ($5$ SHA-256, $6$ SHA-512) as specified by Ulrich Drepper's
// "Unix crypt using SHA-256 and SHA-512" (2008), used by Dovecot's {SHA256-CRYPT}/{SHA512-CRYPT}.
import { createHash } from "node:crypto";

export type ShaCryptVariant = "5" | "6";

const ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const DEFAULT_ROUNDS = 5000;
const MIN_ROUNDS = 1000;
/** The spec allows 999,999,999; we refuse more than this so one imported hash cannot stall a login. */
export const MAX_SHA_CRYPT_ROUNDS = 5_000_000;

// Byte triples of the final digest in the order the spec writes them; the tail is handled apart.
const ORDER_512: readonly (readonly [number, number, number])[] = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
];
const ORDER_256: readonly (readonly [number, number, number])[] = [
  [0, 10, 20],
  [21, 1, 11],
  [12, 22, 2],
  [3, 13, 23],
  [24, 4, 14],
  [15, 25, 5],
  [6, 16, 26],
  [27, 7, 17],
  [18, 28, 8],
  [9, 19, 29],
];

export interface ParsedShaCrypt {
  readonly variant: ShaCryptVariant;
  /** Present when the hash named its rounds explicitly (then the output repeats them). */
  readonly rounds: number | null;
  readonly salt: string;
  readonly digest: string;
}

const PATTERN = /^\$([56])\$(?:rounds=(\d{1,9})\$)?([^$:\n]{0,16})\$([./0-9A-Za-z]{43}|[./0-9A-Za-z]{86})$/;

export function parseShaCrypt(hash: string): ParsedShaCrypt | null {
  const match = PATTERN.exec(hash);
  if (!match) return null;
  const variant = match[1] as ShaCryptVariant;
  const rounds = match[2];
  const salt = match[3] as string;
  const digest = match[4] as string;
  if (digest.length !== (variant === "6" ? 86 : 43)) return null;
  return { variant, rounds: rounds === undefined ? null : Number(rounds), salt, digest };
}

/** Computes the full `$5$…`/`$6$…` string for a password and salt, as crypt(3) would. */
export function shaCrypt(
  password: Buffer,
  salt: string,
  variant: ShaCryptVariant,
  explicitRounds: number | null = null,
): string {
  const algorithm = variant === "6" ? "sha512" : "sha256";
  const size = variant === "6" ? 64 : 32;
  const rounds = Math.min(Math.max(explicitRounds ?? DEFAULT_ROUNDS, MIN_ROUNDS), 999_999_999);
  const saltBytes = Buffer.from(salt, "utf8").subarray(0, 16);
  const digest = (...parts: Buffer[]) => {
    const hash = createHash(algorithm);
    for (const part of parts) hash.update(part);
    return hash.digest();
  };
  const alternate = digest(password, saltBytes, password);
  const first = createHash(algorithm).update(password).update(saltBytes);
  let remaining = password.length;
  for (; remaining > size; remaining -= size) first.update(alternate);
  first.update(alternate.subarray(0, remaining));
  for (let bits = password.length; bits > 0; bits >>= 1) first.update(bits & 1 ? alternate : password);
  let current = first.digest();

  const pBytes = stretch(digest(...Array<Buffer>(password.length).fill(password)), password.length);
  const sBytes = stretch(digest(...Array<Buffer>(16 + (current[0] ?? 0)).fill(saltBytes)), saltBytes.length);
  for (let round = 0; round < rounds; round++) {
    const hash = createHash(algorithm);
    hash.update(round & 1 ? pBytes : current);
    if (round % 3) hash.update(sBytes);
    if (round % 7) hash.update(pBytes);
    hash.update(round & 1 ? current : pBytes);
    current = hash.digest();
  }
  const prefix = explicitRounds === null ? "" : `rounds=${rounds}$`;
  return `$${variant}$${prefix}${saltBytes.toString("utf8")}$${encode(current, variant)}`;
}

/** Repeats `block` to exactly `length` bytes (the spec's P and S sequences). */
function stretch(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += block.length) block.copy(out, i, 0, Math.min(block.length, length - i));
  return out;
}

function encode(bytes: Buffer, variant: ShaCryptVariant): string {
  const at = (i: number) => bytes[i] ?? 0;
  let out = "";
  const put = (value: number, chars: number) => {
    for (let i = 0; i < chars; i++, value >>= 6) out += ALPHABET[value & 0x3f];
  };
  for (const [a, b, c] of variant === "6" ? ORDER_512 : ORDER_256)
    put((at(a) << 16) | (at(b) << 8) | at(c), 4);
  if (variant === "6") put(at(63), 2);
  else put((at(31) << 8) | at(30), 3);
  return out;
}
