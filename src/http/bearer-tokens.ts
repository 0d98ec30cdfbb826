// Bearer tokens (RFC 6750) for JMAP clients that should not keep the password: POST /jmap/token with Basic
// credentials issues one, DELETE /jmap/token revokes it. 256 random bits each, kept in this process only
// as their SHA-256 (a restart or another node does not know them: clients log in again), bounded in number.
import { createHash, randomBytes } from "node:crypto";
import type { AccountId } from "../kit/ids.js";

interface TokenRecord {
  readonly accountId: AccountId;
  readonly expiresAtMs: number;
}

/** Tokens kept at most; the oldest go first, so a login flood cannot exhaust memory. */
const MAX_TOKENS = 100_000;

export class BearerTokens {
  readonly #byHash = new Map<string, TokenRecord>();

  constructor(
    readonly lifetimeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(accountId: AccountId): { token: string; expiresAtMs: number } {
    const token = randomBytes(32).toString("base64url");
    const expiresAtMs = this.now() + this.lifetimeMs;
    this.#byHash.set(hashOf(token), { accountId, expiresAtMs });
    if (this.#byHash.size > MAX_TOKENS) {
      const oldest = this.#byHash.keys().next().value;
      if (oldest !== undefined) this.#byHash.delete(oldest);
    }
    return { token, expiresAtMs };
  }

  /** The token's account, or null when it is unknown, revoked or expired. */
  verify(token: string): AccountId | null {
    const key = hashOf(token);
    const record = this.#byHash.get(key);
    if (record === undefined) return null;
    if (record.expiresAtMs <= this.now()) {
      this.#byHash.delete(key);
      return null;
    }
    return record.accountId;
  }

  revoke(token: string): boolean {
    return this.#byHash.delete(hashOf(token));
  }
}

function hashOf(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The token of an `Authorization: Bearer …` header (RFC 6750 §2.1), or null. */
export function parseBearerAuthorization(header: string | undefined): string | null {
  const match = header === undefined ? null : /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
  return match === null ? null : (match[1] as string);
}
