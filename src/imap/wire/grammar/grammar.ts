// The shape every per-command grammar module has (RFC 9051 §9: one production per command).

import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand } from "../command.js";

/**
 * Parses the arguments of one command. The cursor stands just after the command name (before its first
 * space); the grammar must consume everything up to the end of the command or throw `WireSyntaxError`.
 */
export type Grammar = (c: ArgumentCursor, tag: string, uid: boolean) => ImapCommand;
