// Password hashing with scrypt in PHC string format ($scrypt$ln=15,r=8,p=1$<salt>$<hash>, base64 without
// padding), verified in constant time; imported formats (hash/imported-hash.ts) verify too, so accounts
// migrate without a reset. One module for every protocol and the CLI.
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";
import { type ImportedScheme, parseImportedHash, verifyImportedHash } from "./hash/imported-hash.js";

export interface ScryptCost {
  /** log2 of the CPU/memory cost N. */
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

/** ~50 ms and 32 MiB per hash on a current core: OWASP's minimum for scrypt is N=2^17 at r=8 p=1 ≈ 128 MiB;
 * we take N=2^15 so a burst of logins cannot exhaust memory, and rely on the brute-force limiter. */
export const DEFAULT_SCRYPT_COST: ScryptCost = { ln: 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function scryptAsync(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** cost.ln,
    r: cost.r,
    p: cost.p,
    maxmem: 256 * 2 ** cost.ln * cost.r,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

const b64 = (bytes: Buffer) => bytes.toString("base64").replace(/=+$/, "");

export async function hashPassword(
  password: string,
  cost: ScryptCost = DEFAULT_SCRYPT_COST,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, cost);
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${b64(salt)}$${b64(key)}`;
}

interface ParsedHash {
  readonly cost: ScryptCost;
  readonly salt: Buffer;
  readonly key: Buffer;
}

const PHC_PATTERN = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function parseHash(phc: string): ParsedHash | null {
  const match = PHC_PATTERN.exec(phc);
  if (!match) return null;
  const [, ln, r, p, salt, key] = match;
  const cost = { ln: Number(ln), r: Number(r), p: Number(p) };
  if (cost.ln < 1 || cost.ln > 24 || cost.r < 1 || cost.p < 1) return null;
  return { cost, salt: Buffer.from(salt as string, "base64"), key: Buffer.from(key as string, "base64") };
}

/** A hash of a random password, verified against when the account does not exist, so timing does not tell. */
const decoyHashes = new Map<string, Promise<string>>();

/** What a stored hash is: the current scheme (with its cost), an imported one, or unusable. */
export type StoredHashKind =
  | { readonly kind: "scrypt"; readonly cost: ScryptCost }
  | { readonly kind: "imported"; readonly scheme: ImportedScheme }
  | { readonly kind: "invalid" };

export function describeStoredHash(stored: string): StoredHashKind {
  const parsed = parseHash(stored);
  if (parsed) return { kind: "scrypt", cost: parsed.cost };
  const imported = parseImportedHash(stored);
  return imported ? { kind: "imported", scheme: imported.scheme } : { kind: "invalid" };
}

/** Whether a hash that just verified should be replaced by one in the current scheme and cost. */
export function needsRehash(stored: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): boolean {
  const kind = describeStoredHash(stored);
  if (kind.kind !== "scrypt") return true;
  return kind.cost.ln !== cost.ln || kind.cost.r !== cost.r || kind.cost.p !== cost.p;
}

/**
 * Whether `password` matches `phc`. A malformed or missing hash takes as long as a real check and
 * answers false, so neither unknown users nor broken records can be told apart by timing.
 */
export async function verifyPassword(
  password: string,
  phc: string | null,
  decoyCost: ScryptCost = DEFAULT_SCRYPT_COST,
): Promise<boolean> {
  const parsed = phc === null ? null : parseHash(phc);
  const imported = phc === null || parsed ? null : parseImportedHash(phc);
  if (imported) return verifyImportedHash(password, imported);
  if (!parsed) {
    // The decoy costs what a real hash of the configured cost costs, so timing tells nothing.
    const costKey = `${decoyCost.ln},${decoyCost.r},${decoyCost.p}`;
    let decoyHash = decoyHashes.get(costKey);
    if (!decoyHash) {
      decoyHash = hashPassword(randomBytes(16).toString("hex"), decoyCost);
      decoyHashes.set(costKey, decoyHash);
    }
    const decoy = parseHash(await decoyHash) as ParsedHash;
    await scryptAsync(password, decoy.salt, decoy.cost);
    return false;
  }
  const key = await scryptAsync(password, parsed.salt, parsed.cost);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}
