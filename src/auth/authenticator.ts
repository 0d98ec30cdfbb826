// Verifies credentials for every protocol (IMAP LOGIN/AUTHENTICATE, POP3 USER/PASS/AUTH, SMTP AUTH,
// HTTP): one path, so limits (login-limiter.ts) and the audit log apply everywhere alike. Unknown users
// cost as much time as wrong passwords, so timing does not reveal which addresses exist.

import { createHmac, randomBytes } from "node:crypto";
import { type Logger, silentLogger } from "../kit/logger.js";
import { MailError } from "../kit/mail-error.js";
import { METRICS } from "../kit/metrics.js";
import type { AccountRecord, MailStore } from "../store/mail-store.js";
import { verifyAppPassword } from "./app-password.js";
import type { JwtVerifier } from "./jwt-verifier.js";
import { LoginLimiter } from "./login-limiter.js";
import {
  DEFAULT_SCRYPT_COST,
  hashPassword,
  needsRehash,
  type ScryptCost,
  verifyPassword,
} from "./password-hash.js";
import { isPlaintextAuthAllowed, type PlaintextAuthPolicy } from "./plaintext-policy.js";
import { type ChannelBindings, channelBindingsOf, NO_CHANNEL_BINDINGS } from "./sasl/channel-binding.js";
import type { SaslExchange, SaslServer, ScramAttempt } from "./sasl/sasl-exchange.js";
import {
  PLAINTEXT_MECHANISMS,
  parseMechanismName,
  SASL_MECHANISMS,
  type SaslMechanismName,
  startSaslExchange,
} from "./sasl/sasl-mechanism.js";
import {
  DEFAULT_SCRAM_ITERATIONS,
  deriveScramKeys,
  formatScramKeys,
  parseScramKeys,
  type ScramKeys,
} from "./scram-keys.js";
import { VerifiedPasswordCache } from "./verified-password-cache.js";

export interface Credentials {
  /** The login name: the account's address. */
  readonly username: string;
  readonly password: string;
  /** SASL authorization identity; empty or equal to the username (no proxy authorization yet). */
  readonly authzid?: string;
}

export type AuthProtocol = "imap" | "pop3" | "smtp" | "http" | "managesieve";

/** Where an attempt comes from: what limits key on and what the audit line records. */
export interface AuthContext {
  readonly remoteAddress: string;
  readonly protocol: AuthProtocol;
  /** "LOGIN" (IMAP command), "USER" (POP3 USER/PASS), or a SASL mechanism name. */
  readonly mechanism: string;
}

/** What a connection offers: plaintext mechanisms need TLS or loopback; PLUS needs channel bindings. */
export interface SaslTransport {
  readonly remoteAddress: string;
  readonly protocol: AuthProtocol;
  readonly isPlaintextAllowed: boolean;
  readonly channelBindings: ChannelBindings;
}

/** What a protocol session knows of its connection (net's Connection fits), as auth/ needs it. */
export interface AuthConnection {
  readonly remoteAddress: string;
  readonly isTls: boolean;
  /** The TLS socket the channel bindings come from; anything else offers none. */
  readonly socket: unknown;
}

/** A connection's SaslTransport: plaintext mechanisms as `policy` allows, channel bindings from its TLS. */
export function saslTransportOf(
  protocol: AuthProtocol,
  policy: PlaintextAuthPolicy,
  conn: AuthConnection,
): SaslTransport {
  return {
    remoteAddress: conn.remoteAddress,
    protocol,
    isPlaintextAllowed: isPlaintextAuthAllowed(policy, conn.isTls, conn.remoteAddress),
    channelBindings: channelBindingsOf(conn.socket),
  };
}

export interface AuthenticatorOptions {
  readonly limiter?: LoginLimiter;
  /** Receives one audit line per attempt: result, protocol, mechanism, IP, login name. */
  readonly log?: Logger;
  readonly scryptCost?: ScryptCost;
  readonly scramIterations?: number;
  /** OAUTHBEARER is offered only with a verifier (config [auth] oauthbearer). */
  readonly bearer?: JwtVerifier | null;
  /** How long a verified password is remembered ([auth] login_cache_seconds); 0 = every login hashes. */
  readonly loginCacheMs?: number;
}

const failed = () => new MailError("authFailed", "Authentication failed");
const MAX_LOGGED_NAME_CHARS = 128;

export class Authenticator {
  readonly #limiter: LoginLimiter;
  readonly #log: Logger;
  readonly #scryptCost: ScryptCost;
  readonly #scramIterations: number;
  readonly #bearer: JwtVerifier | null;
  readonly #verified: VerifiedPasswordCache;
  /** Keys the decoy SCRAM salts of unknown users, so they are stable per name yet unguessable. */
  readonly #decoySecret = randomBytes(32);

  constructor(
    private readonly store: MailStore,
    options: AuthenticatorOptions = {},
  ) {
    this.#limiter = options.limiter ?? new LoginLimiter();
    this.#log = options.log ?? silentLogger;
    this.#scryptCost = options.scryptCost ?? DEFAULT_SCRYPT_COST;
    this.#scramIterations = options.scramIterations ?? DEFAULT_SCRAM_ITERATIONS;
    this.#bearer = options.bearer ?? null;
    this.#verified = new VerifiedPasswordCache(options.loginCacheMs ?? 0);
  }

  /** Returns the account, or throws MailError("authFailed") with one text for every kind of failure. */
  async authenticate(credentials: Credentials, context: AuthContext): Promise<AccountRecord> {
    const username = credentials.username.trim().toLowerCase();
    const authzid = (credentials.authzid ?? "").toLowerCase();
    return this.#attempt(username, context, async () => {
      const account = await this.#verifyPassword(username, credentials.password);
      return account && (authzid === "" || authzid === account.address) ? account : null;
    });
  }

  /** The mechanisms to advertise on a connection, in order of preference. */
  mechanisms(transport: Omit<SaslTransport, "remoteAddress" | "protocol">): SaslMechanismName[] {
    return SASL_MECHANISMS.filter((name) => this.#isOffered(name, transport));
  }

  /** Starts an exchange, or null if the mechanism is unknown or not offered on this connection. */
  startSasl(mechanismName: string, transport: SaslTransport): SaslExchange | null {
    const mechanism = parseMechanismName(mechanismName);
    if (mechanism === null || !this.#isOffered(mechanism, transport)) return null;
    const context: AuthContext = { ...transport, mechanism };
    return startSaslExchange(mechanism, {
      server: this.#saslServer(context),
      channelBindings: transport.channelBindings,
    });
  }

  #isOffered(name: SaslMechanismName, transport: Omit<SaslTransport, "remoteAddress" | "protocol">): boolean {
    if (name === "OAUTHBEARER" && this.#bearer === null) return false;
    if (name === "SCRAM-SHA-256-PLUS" && transport.channelBindings.size === 0) return false;
    return transport.isPlaintextAllowed || !PLAINTEXT_MECHANISMS.has(name);
  }

  #saslServer(context: AuthContext): SaslServer {
    return {
      verifyPassword: (credentials) => this.authenticate(credentials, context),
      beginScram: (username) => this.#beginScram(username.trim().toLowerCase(), context),
      verifyBearer: (token, authzid) => {
        const claimed = authzid.trim().toLowerCase();
        return this.#attempt(claimed === "" ? "(bearer)" : claimed, context, async () => {
          const bearer = this.#bearer;
          if (!bearer) return null;
          const subject = (await bearer.verify(token).catch(() => null))?.toLowerCase();
          if (subject === undefined || (claimed !== "" && claimed !== subject)) return null;
          return (await this.store.accounts.findByAddress(subject)) ?? null;
        });
      },
    };
  }

  async #beginScram(username: string, context: AuthContext): Promise<ScramAttempt> {
    const account = await this.store.accounts.findByAddress(username);
    const stored = account && (await this.store.credentials.getPassword(account.id));
    const real = stored?.scramSha256 ? parseScramKeys(stored.scramSha256) : null;
    // No keys (unknown user, or a password not yet rehashed): answer with stable decoys, fail at the end.
    const keys = real ?? this.#decoyScramKeys(username);
    return {
      keys,
      finish: (isProofValid) =>
        this.#attempt(username, context, async () => (isProofValid && real && account ? account : null)),
    };
  }

  #decoyScramKeys(username: string): ScramKeys {
    const derive = (label: string) =>
      createHmac("sha256", this.#decoySecret).update(`${label}\0${username}`).digest();
    return {
      iterations: this.#scramIterations,
      salt: derive("salt").subarray(0, 16),
      storedKey: derive("stored"),
      serverKey: derive("server"),
    };
  }

  /**
   * The one gate every attempt passes: refuses blocked sources without checking, delays failures as the
   * limiter says, audits the outcome. `check` resolves to the account or null for "wrong".
   */
  async #attempt(
    username: string,
    context: AuthContext,
    check: () => Promise<AccountRecord | null>,
  ): Promise<AccountRecord> {
    const ip = context.remoteAddress;
    const isBlocked = this.#limiter.isBlocked(ip, username);
    const account = isBlocked ? null : await check();
    const audit = {
      audit: "login",
      protocol: context.protocol,
      mechanism: context.mechanism,
      remoteAddress: ip,
      account: username.slice(0, MAX_LOGGED_NAME_CHARS),
    };
    METRICS.logins.inc({ protocol: context.protocol, result: account ? "ok" : "failed" });
    if (account) {
      this.#limiter.recordSuccess(ip, username);
      this.#log.info({ ...audit, result: "success" }, "login succeeded");
      return account;
    }
    const delayMs = isBlocked
      ? this.#limiter.limits.maxFailureDelayMs
      : this.#limiter.recordFailure(ip, username);
    this.#log.info({ ...audit, result: isBlocked ? "blocked" : "failure", delayMs }, "login failed");
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    throw failed();
  }

  /** Main password or any app password; null when neither matches or the account does not exist. */
  async #verifyPassword(username: string, password: string): Promise<AccountRecord | null> {
    const account = await this.store.accounts.findByAddress(username);
    if (account) {
      for (const app of await this.store.credentials.listAppPasswords(account.id)) {
        if (verifyAppPassword(password, app.passwordHash)) {
          await this.store.credentials.touchAppPassword(account.id, app.id, Date.now());
          return account;
        }
      }
    }
    if (account && this.#verified.has(account.address, account.passwordHash, password)) return account;
    // Unknown accounts verify against a decoy inside verifyPassword: the same cost as a real check.
    if (!(await verifyPassword(password, account?.passwordHash ?? null, this.#scryptCost)) || !account)
      return null;
    await this.#upgradeStoredPassword(account, password);
    this.#verified.remember(account.address, account.passwordHash, password);
    return account;
  }

  /** Rehash on login: imported or outdated hashes become scrypt, and SCRAM keys appear where missing. */
  async #upgradeStoredPassword(account: AccountRecord, password: string): Promise<void> {
    try {
      const stored = await this.store.credentials.getPassword(account.id);
      if (!stored) return;
      const scram = stored.scramSha256 === null ? null : parseScramKeys(stored.scramSha256);
      const isHashCurrent = !needsRehash(stored.passwordHash, this.#scryptCost);
      if (isHashCurrent && scram?.iterations === this.#scramIterations) return;
      const passwordHash = isHashCurrent
        ? stored.passwordHash
        : await hashPassword(password, this.#scryptCost);
      const keys = formatScramKeys(await deriveScramKeys(password, this.#scramIterations));
      await this.store.credentials.setPassword(
        account.id,
        { passwordHash, scramSha256: keys },
        stored.passwordHash,
      );
      this.#log.info({ account: account.address }, "stored password upgraded to the current scheme");
    } catch (error) {
      this.#log.warn({ err: error, account: account.address }, "could not upgrade the stored password");
    }
  }
}

export { NO_CHANNEL_BINDINGS };
