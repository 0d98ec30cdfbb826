// EXAMINE (RFC 9051 §6.3.3): SELECT's arguments, read-only.

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";
import { parseSelectArguments } from "./select.js";

export function parseExamine(c: ArgumentCursor, tag: string): ImapCommand {
  return { tag, name: "examine", ...parseSelectArguments(c) };
}
