// The ManageSieve server (RFC 5804): listener specs for the composition root. Plain listeners on
// `managesieve.listen` (port 4190 in production) offer STARTTLS with the server's certificates.
import type { Logger } from "../kit/logger.js";
import type { ListenerSpec } from "../net/listener-group.js";
import { runManageSieveSession } from "./managesieve-session.js";
import type { ManageSieveServices, ManageSieveSettings } from "./session/session-context.js";

export type { ManageSieveServices, ManageSieveSettings } from "./session/session-context.js";

export function createManageSieveListeners(
  services: ManageSieveServices,
  settings: ManageSieveSettings,
  listen: readonly string[],
  log: Logger,
): ListenerSpec[] {
  if (listen.length > 0) log.debug({ listen }, "ManageSieve configured");
  return listen.map((address) => ({
    proto: "managesieve",
    address,
    implicitTls: false,
    handler: (conn) => runManageSieveSession(conn, { services, settings, offerStartTls: true }),
    reject: async (conn) => {
      await conn.write('BYE (TRYLATER) "Too many connections, try again later"\r\n');
    },
  }));
}
