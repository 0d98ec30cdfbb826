// What a ManageSieve command handler works with: the connection, the services, the session state
// (RFC 5804 §1.4: non-authenticated, authenticated), the reader for AUTHENTICATE responses, and output.
import { type Authenticator, type SaslTransport, saslTransportOf } from "../../auth/authenticator.js";
import type { PlaintextAuthPolicy } from "../../auth/plaintext-policy.js";
import type { SessionLease, SessionRegistry } from "../../auth/session-registry.js";
import type { Logger } from "../../kit/logger.js";
import type { SieveScriptService } from "../../mail/sieve/sieve-scripts.js";
import type { Connection } from "../../net/connection.js";
import type { AccountRecord } from "../../store/mail-store.js";
import type { ManageSieveArg, ManageSieveReader, ReaderEvent } from "../wire/managesieve-reader.js";
import { formatResponse, type ManageSieveResponse } from "../wire/managesieve-response.js";

export interface ManageSieveServices {
  readonly authenticator: Authenticator;
  readonly sessions: SessionRegistry;
  readonly scripts: SieveScriptService;
}

export interface ManageSieveSettings {
  readonly plaintextAuth: PlaintextAuthPolicy;
  readonly maxLineBytes: number;
  /** MAXREDIRECTS capability. */
  readonly maxRedirects: number;
  /** The Sieve extensions advertised (SIEVE capability). */
  readonly extensions: readonly string[];
  /** Failed AUTHENTICATEs before the server says BYE. */
  readonly maxAuthFailures: number;
}

export interface ManageSieveDeps {
  readonly services: ManageSieveServices;
  readonly settings: ManageSieveSettings;
  /** Plain listeners offer STARTTLS; implicit-TLS ones do not. */
  readonly offerStartTls: boolean;
}

export type SessionState =
  | { readonly kind: "notAuthenticated" }
  | { readonly kind: "authenticated"; readonly account: AccountRecord; readonly lease: SessionLease };

export type Outcome = "continue" | "close";

export class SessionContext {
  state: SessionState = { kind: "notAuthenticated" };
  authFailures = 0;
  log: Logger;
  #output: string[] = [];

  constructor(
    readonly conn: Connection,
    readonly deps: ManageSieveDeps,
    readonly reader: ManageSieveReader,
    private readonly readMore: () => Promise<boolean>,
  ) {
    this.log = conn.log;
  }

  /** The account of an authenticated session (handlers that run only there). */
  get account(): AccountRecord {
    if (this.state.kind !== "authenticated") throw new Error("not authenticated");
    return this.state.account;
  }

  /** Queues a data line or literal; `reply` or `flush` sends it. */
  write(text: string): void {
    this.#output.push(text);
  }

  async reply(response: ManageSieveResponse): Promise<void> {
    this.#output.push(formatResponse(response));
    await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#output.length === 0) return;
    const text = this.#output.join("");
    this.#output = [];
    await this.conn.write(text);
  }

  /** The client's answer to a SASL challenge; null at end of input. */
  async readResponse(): Promise<ReaderEvent | null> {
    for (;;) {
      const event = this.reader.nextResponse();
      if (event.kind !== "needMore") return event;
      if (!(await this.readMore())) return null;
    }
  }

  saslTransport(): SaslTransport {
    return saslTransportOf("managesieve", this.deps.settings.plaintextAuth, this.conn);
  }
}

/** An argument as text: a string (quoted or literal) in UTF-8; null if it is not a string or not UTF-8. */
export function textArg(arg: ManageSieveArg | undefined): string | null {
  if (arg?.kind !== "string") return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(arg.value);
  } catch {
    return null;
  }
}
