// JWT access tokens for OAUTHBEARER (RFC 7519, JWS RFC 7515): RS256 and ES256 signatures checked with
// node:crypto against a JWKS file (RFC 7517 §5), then iss, aud, exp and nbf (RFC 7519 §4.1).
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { MailError } from "../kit/mail-error.js";

export interface JwtVerifierOptions {
  readonly issuer: string;
  /** Expected `aud`; "" accepts any audience. */
  readonly audience: string;
  readonly jwksPath: string;
  /** The claim naming the account, e.g. "email" or "sub". */
  readonly usernameClaim: string;
  readonly clockSkewMs?: number;
  readonly now?: () => number;
}

const ALGORITHMS = { RS256: { kty: "RSA" }, ES256: { kty: "EC" } } as const;
type Algorithm = keyof typeof ALGORITHMS;

interface Jwk {
  readonly kty?: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly use?: string;
}

const invalid = (why: string) =>
  new MailError("authFailed", "Authentication failed", { cause: new Error(why) });

export class JwtVerifier {
  #keys: { mtimeMs: number; keys: readonly { jwk: Jwk; key: KeyObject }[] } | null = null;

  constructor(private readonly options: JwtVerifierOptions) {}

  /** The account name the token vouches for; rejects with authFailed for any invalid token. */
  async verify(token: string): Promise<string> {
    const parts = token.split(".");
    if (parts.length !== 3) throw invalid("not a JWS compact serialisation");
    const [headerText, payloadText, signatureText] = parts as [string, string, string];
    const header = parseJson(headerText) as { alg?: string; kid?: string; typ?: string } | null;
    const alg = header?.alg;
    if (alg !== "RS256" && alg !== "ES256") throw invalid(`algorithm ${String(alg)} not accepted`);
    const candidates = (await this.#loadKeys()).filter(
      ({ jwk }) =>
        jwk.kty === ALGORITHMS[alg as Algorithm].kty &&
        (jwk.alg === undefined || jwk.alg === alg) &&
        (jwk.use === undefined || jwk.use === "sig") &&
        (header?.kid === undefined || jwk.kid === header.kid),
    );
    const signed = Buffer.from(`${headerText}.${payloadText}`);
    const signature = Buffer.from(signatureText, "base64url");
    const isValid = candidates.some(({ key }) =>
      alg === "RS256"
        ? verify("sha256", signed, key, signature)
        : verify("sha256", signed, { key, dsaEncoding: "ieee-p1363" }, signature),
    );
    if (!isValid) throw invalid("signature");
    const claims = parseJson(payloadText) as Record<string, unknown> | null;
    if (!claims) throw invalid("payload");
    const now = (this.options.now ?? Date.now)();
    const skew = this.options.clockSkewMs ?? 60_000;
    if (claims.iss !== this.options.issuer) throw invalid("issuer");
    if (typeof claims.exp !== "number" || claims.exp * 1000 + skew <= now) throw invalid("expired");
    if (typeof claims.nbf === "number" && claims.nbf * 1000 - skew > now) throw invalid("not yet valid");
    if (this.options.audience !== "") {
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audiences.includes(this.options.audience)) throw invalid("audience");
    }
    const username = claims[this.options.usernameClaim];
    if (typeof username !== "string" || username === "") throw invalid("no username claim");
    return username;
  }

  /** Reads the JWKS file, again whenever it changes (key rotation without restart). */
  async #loadKeys(): Promise<readonly { jwk: Jwk; key: KeyObject }[]> {
    const { mtimeMs } = await stat(this.options.jwksPath);
    if (this.#keys?.mtimeMs === mtimeMs) return this.#keys.keys;
    const parsed = JSON.parse(await readFile(this.options.jwksPath, "utf8")) as { keys?: unknown };
    const keys = (Array.isArray(parsed.keys) ? (parsed.keys as Jwk[]) : []).flatMap((jwk) => {
      try {
        return [{ jwk, key: createPublicKey({ key: jwk as never, format: "jwk" }) }];
      } catch {
        return [];
      }
    });
    this.#keys = { mtimeMs, keys };
    return keys;
  }
}

function parseJson(base64url: string): unknown {
  try {
    const value: unknown = JSON.parse(Buffer.from(base64url, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null ? value : null;
  } catch {
    return null;
  }
}
