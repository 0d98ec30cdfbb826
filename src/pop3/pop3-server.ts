// The POP3 server (RFC 1939, RFC 2449, RFC 2595, RFC 5034, RFC 6856): connection handlers and the
// listener specs the composition root adds to its ListenerGroup: STLS on `pop3.listen`, implicit TLS
// (RFC 8314) on `pop3.tlsListen`.
import type { PlaintextAuthPolicy } from "../auth/plaintext-policy.js";
import type { Logger } from "../kit/logger.js";
import type { Connection } from "../net/connection.js";
import type { ConnectionHandler, LimitReason, ListenerSpec } from "../net/listener-group.js";
import type { MaildropLocks } from "../store/mail-store.js";
import { runPop3Session } from "./pop3-session.js";
import { LoginDelay } from "./session/login-delay.js";
import {
  type ApopVerifier,
  DEFAULT_POP3_SETTINGS,
  type Pop3Services,
  type Pop3Settings,
} from "./session/pop3-settings.js";

export type { ApopVerifier, Pop3Services, Pop3Settings } from "./session/pop3-settings.js";

/** The configuration POP3 reads; `Config` from src/config satisfies it structurally. */
export interface Pop3ServerConfig {
  readonly pop3: {
    readonly listen: readonly string[];
    readonly tlsListen: readonly string[];
    /** "never" or a number of days (RFC 2449 EXPIRE). */
    readonly expireDays: string;
    readonly loginDelaySeconds: number;
    readonly retrMarksSeen: boolean;
  };
  readonly limits: { readonly maxLineBytes: number };
  readonly auth: { readonly plaintextAuth: PlaintextAuthPolicy };
}

export interface Pop3ServerDeps {
  readonly services: Pop3Services;
  readonly settings?: Partial<Pop3Settings>;
  /** RFC 2449 LOGIN-DELAY in seconds; 0 (default) is off and not advertised. */
  readonly loginDelaySeconds?: number;
  /** Shared by every listener of the server; defaults to the store's (held across nodes on PostgreSQL). */
  readonly lock?: MaildropLocks;
  /** Enables APOP; absent by default (see ApopVerifier). */
  readonly apop?: ApopVerifier;
}

export interface Pop3Server {
  /** For a plain listener: offers STLS. */
  readonly plainHandler: ConnectionHandler;
  /** For an implicit-TLS listener (the ListenerGroup has done the handshake). */
  readonly tlsHandler: ConnectionHandler;
  /** Refusal when a connection limit is reached. */
  readonly reject: (conn: Connection, reason: LimitReason) => Promise<void>;
}

export function createPop3Server(deps: Pop3ServerDeps): Pop3Server {
  const settings: Pop3Settings = { ...DEFAULT_POP3_SETTINGS, ...deps.settings };
  const common = {
    services: deps.services,
    settings,
    lock: deps.lock ?? deps.services.store.maildropLocks,
    loginDelay: new LoginDelay(deps.loginDelaySeconds ?? 0),
    apop: deps.apop ?? null,
  };
  return {
    plainHandler: (conn) => runPop3Session(conn, { ...common, offerStartTls: true }),
    tlsHandler: (conn) => runPop3Session(conn, { ...common, offerStartTls: false }),
    reject: async (conn) => {
      await conn.write("-ERR [SYS/TEMP] Too many connections, try again later\r\n");
    },
  };
}

/** One spec per `pop3.listen` address (with STLS) and per `pop3.tlsListen` address (implicit TLS). */
export function createPop3Listeners(
  services: Pop3Services,
  config: Pop3ServerConfig,
  log: Logger,
  options: Pick<Pop3ServerDeps, "lock" | "apop"> = {},
): ListenerSpec[] {
  const server = createPop3Server({
    services,
    settings: {
      expireDays: parseExpireDays(config.pop3.expireDays),
      retrMarksSeen: config.pop3.retrMarksSeen,
      maxLineBytes: config.limits.maxLineBytes,
      plaintextAuth: config.auth.plaintextAuth,
    },
    loginDelaySeconds: config.pop3.loginDelaySeconds,
    ...options,
  });
  if (config.pop3.listen.length + config.pop3.tlsListen.length > 0) {
    log.debug(
      { expireDays: config.pop3.expireDays, loginDelaySeconds: config.pop3.loginDelaySeconds },
      "POP3 configured",
    );
  }
  return [
    ...config.pop3.listen.map((address) => ({
      proto: "pop3",
      address,
      implicitTls: false,
      handler: server.plainHandler,
      reject: server.reject,
    })),
    ...config.pop3.tlsListen.map((address) => ({
      proto: "pop3",
      address,
      implicitTls: true,
      handler: server.tlsHandler,
      reject: server.reject,
    })),
  ];
}

/** "never" → null (EXPIRE NEVER); a decimal number of days otherwise. */
export function parseExpireDays(text: string): number | null {
  if (text.toLowerCase() === "never") return null;
  const days = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(days))
    throw new Error(`pop3.expire_days: "${text}" is not "never" or a number of days`);
  return days;
}
