// The IMAP listeners (RFC 9051 §2.1): plain ones that offer STARTTLS and implicit-TLS ones (RFC 8314),
// each connection served by an ImapSession. src/main.ts adds these specs to its ListenerGroup.
import type { Logger } from "../kit/logger.js";
import type { Connection } from "../net/connection.js";
import type { ListenerSpec } from "../net/listener-group.js";
import type { ImapServices } from "./session/command-context.js";
import { ImapSession } from "./session/imap-session.js";
import { encodeResponse } from "./wire/writer.js";

export interface ImapListenConfig {
  /** Plain listeners (STARTTLS offered), "host:port". */
  readonly listen: readonly string[];
  /** Implicit-TLS listeners, "host:port". */
  readonly tlsListen: readonly string[];
  readonly maxLineBytes: number;
}

export function createImapListeners(
  services: ImapServices,
  config: ImapListenConfig,
  log: Logger,
): ListenerSpec[] {
  const handler = async (conn: Connection) => {
    await new ImapSession(conn, {
      services,
      log: conn.log,
      readerLimits: { maxLineBytes: config.maxLineBytes },
    }).run();
  };
  const reject = async (conn: Connection) => {
    await conn.write(
      encodeResponse({
        kind: "condition",
        status: "BYE",
        code: { kind: "LIMIT" },
        text: "Too many connections",
      }),
    );
  };
  log.debug({ listen: config.listen, tlsListen: config.tlsListen }, "imap listeners configured");
  return [
    ...config.listen.map((address) => ({ proto: "imap", address, implicitTls: false, handler, reject })),
    ...config.tlsListen.map((address) => ({ proto: "imap", address, implicitTls: true, handler, reject })),
  ];
}
