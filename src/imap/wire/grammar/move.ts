// MOVE and UID MOVE (RFC 6851 §3, RFC 9051 §6.4.8): COPY's arguments.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";
import { parseTransferArguments } from "./copy.js";

export function parseMove(c: ArgumentCursor, tag: string, uid: boolean): ImapCommand {
  return { tag, name: "move", ...parseTransferArguments(c, uid) };
}
