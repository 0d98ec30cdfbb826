// Every ManageSieve command (RFC 5804 §2) and its handler; a name missing here is answered NO.
import { authenticate } from "./authenticate.js";
import { capability } from "./capability.js";
import type { CommandHandler } from "./command-handler.js";
import {
  checkscript,
  deletescript,
  getscript,
  havespace,
  listscripts,
  putscript,
  renamescript,
  setactive,
} from "./script-commands.js";
import { logout, noop, unauthenticate } from "./session-commands.js";
import { starttls } from "./starttls.js";

export const COMMANDS = {
  AUTHENTICATE: authenticate,
  STARTTLS: starttls,
  LOGOUT: logout,
  CAPABILITY: capability,
  HAVESPACE: havespace,
  PUTSCRIPT: putscript,
  CHECKSCRIPT: checkscript,
  LISTSCRIPTS: listscripts,
  SETACTIVE: setactive,
  GETSCRIPT: getscript,
  DELETESCRIPT: deletescript,
  RENAMESCRIPT: renamescript,
  NOOP: noop,
  UNAUTHENTICATE: unauthenticate,
} as const satisfies Record<string, CommandHandler>;

export type CommandName = keyof typeof COMMANDS;

export function handlerFor(name: string): CommandHandler | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name as CommandName] : undefined;
}
