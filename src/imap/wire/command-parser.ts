// Turns one framed command (RFC 9051 §2.2.1 `tag SP command CRLF`) into an `ImapCommand`, dispatching
// to the grammar module named after the command. Never throws: every failure is a syntax error result.

import {
  ArgumentCursor,
  type CommandSource,
  isAstringChar,
  latin1Text,
  type ParseOptions,
  WireSyntaxError,
} from "./argument-cursor.js";
import type { ImapCommand } from "./command.js";
import { parseAppend } from "./grammar/append.js";
import { parseAuthenticate } from "./grammar/authenticate.js";
import { parseCancelUpdate } from "./grammar/cancelupdate.js";
import { parseCompress } from "./grammar/compress.js";
import { parseCopy } from "./grammar/copy.js";
import { parseCreate } from "./grammar/create.js";
import { parseDelete } from "./grammar/delete.js";
import { parseDeleteAcl } from "./grammar/deleteacl.js";
import { parseEnable } from "./grammar/enable.js";
import { parseEsearch } from "./grammar/esearch.js";
import { parseExamine } from "./grammar/examine.js";
import { parseExpunge } from "./grammar/expunge.js";
import { parseFetch } from "./grammar/fetch.js";
import { parseGenUrlAuth } from "./grammar/genurlauth.js";
import { parseGetAcl } from "./grammar/getacl.js";
import { parseGetMetadata } from "./grammar/getmetadata.js";
import { parseGetQuota } from "./grammar/getquota.js";
import { parseGetQuotaRoot } from "./grammar/getquotaroot.js";
import type { Grammar } from "./grammar/grammar.js";
import { parseId } from "./grammar/id.js";
import { parseList } from "./grammar/list.js";
import { parseListRights } from "./grammar/listrights.js";
import { parseLogin } from "./grammar/login.js";
import { parseLsub } from "./grammar/lsub.js";
import { parseMove } from "./grammar/move.js";
import { parseMyRights } from "./grammar/myrights.js";
import { noArgument } from "./grammar/no-argument.js";
import { parseNotify } from "./grammar/notify.js";
import { parseRename } from "./grammar/rename.js";
import { parseReplace } from "./grammar/replace.js";
import { parseResetKey } from "./grammar/resetkey.js";
import { parseSearch } from "./grammar/search.js";
import { parseSelect } from "./grammar/select.js";
import { parseSetAcl } from "./grammar/setacl.js";
import { parseSetMetadata } from "./grammar/setmetadata.js";
import { parseSetQuota } from "./grammar/setquota.js";
import { parseSort } from "./grammar/sort.js";
import { parseStatus } from "./grammar/status.js";
import { parseStore } from "./grammar/store.js";
import { parseSubscribe } from "./grammar/subscribe.js";
import { parseThread } from "./grammar/thread.js";
import { parseUnsubscribe } from "./grammar/unsubscribe.js";
import { parseUrlFetch } from "./grammar/urlfetch.js";

const GRAMMARS: Readonly<Record<string, Grammar>> = {
  CAPABILITY: noArgument("capability"),
  NOOP: noArgument("noop"),
  LOGOUT: noArgument("logout"),
  STARTTLS: noArgument("starttls"),
  AUTHENTICATE: parseAuthenticate,
  LOGIN: parseLogin,
  ENABLE: parseEnable,
  ID: parseId,
  SELECT: parseSelect,
  EXAMINE: parseExamine,
  CREATE: parseCreate,
  DELETE: parseDelete,
  RENAME: parseRename,
  SUBSCRIBE: parseSubscribe,
  UNSUBSCRIBE: parseUnsubscribe,
  LIST: parseList,
  LSUB: parseLsub,
  NAMESPACE: noArgument("namespace"),
  STATUS: parseStatus,
  APPEND: parseAppend,
  REPLACE: parseReplace,
  IDLE: noArgument("idle"),
  NOTIFY: parseNotify,
  COMPRESS: parseCompress,
  GETQUOTA: parseGetQuota,
  GETQUOTAROOT: parseGetQuotaRoot,
  SETQUOTA: parseSetQuota,
  GETMETADATA: parseGetMetadata,
  SETMETADATA: parseSetMetadata,
  SETACL: parseSetAcl,
  DELETEACL: parseDeleteAcl,
  GETACL: parseGetAcl,
  LISTRIGHTS: parseListRights,
  MYRIGHTS: parseMyRights,
  GENURLAUTH: parseGenUrlAuth,
  URLFETCH: parseUrlFetch,
  RESETKEY: parseResetKey,
  CHECK: noArgument("check"),
  CLOSE: noArgument("close"),
  UNSELECT: noArgument("unselect"),
  UNAUTHENTICATE: noArgument("unauthenticate"),
  EXPUNGE: parseExpunge,
  SEARCH: parseSearch,
  SORT: parseSort,
  CANCELUPDATE: parseCancelUpdate,
  ESEARCH: parseEsearch,
  THREAD: parseThread,
  FETCH: parseFetch,
  STORE: parseStore,
  COPY: parseCopy,
  MOVE: parseMove,
};

/** Commands that take the `UID` prefix (RFC 9051 §6.4.9, RFC 4315, RFC 6851, RFC 5256, RFC 8508). */
const UID_COMMANDS = new Set([
  "COPY",
  "MOVE",
  "FETCH",
  "SEARCH",
  "SORT",
  "THREAD",
  "STORE",
  "EXPUNGE",
  "REPLACE",
]);

export type ParseResult =
  | { readonly kind: "command"; readonly command: ImapCommand }
  | { readonly kind: "syntaxError"; readonly tag: string | null; readonly text: string };

const isTagChar = (b: number): boolean => isAstringChar(b) && b !== 0x2b;

/** The tag of a line if it starts with a valid one followed by a space, else null. */
export function readTag(line: Uint8Array): string | null {
  let end = 0;
  while (end < line.length && isTagChar(line[end]!)) end++;
  if (end === 0 || line[end] !== 0x20) return null;
  return latin1Text(line, 0, end);
}

/** Bytes of a line's start in which the reader looks for the command name. */
const COMMAND_NAME_WINDOW_BYTES = 64;
const isLetter = (b: number): boolean => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

/**
 * The upper-cased command name after the tag (skipping `UID`), or null; used by the reader while framing.
 * Within the line's first 64 bytes: the tag is whatever precedes the first space, the name is letters
 * followed by a space or the window's end.
 */
export function readCommandName(line: Uint8Array): string | null {
  const limit = Math.min(line.length, COMMAND_NAME_WINDOW_BYTES);
  let space = 0;
  while (space < limit && line[space] !== 0x20) space++;
  if (space === 0 || space >= limit) return null;
  const start = space + 1;
  const isUid =
    start + 3 < limit &&
    (line[start]! | 0x20) === 0x75 &&
    (line[start + 1]! | 0x20) === 0x69 &&
    (line[start + 2]! | 0x20) === 0x64 &&
    line[start + 3] === 0x20;
  // `UID` not followed by a name is itself read as the name.
  return (isUid ? letterWord(line, start + 4, limit) : null) ?? letterWord(line, start, limit);
}

function letterWord(line: Uint8Array, start: number, limit: number): string | null {
  let end = start;
  while (end < limit && isLetter(line[end]!)) end++;
  if (end === start || (end < limit && line[end] !== 0x20)) return null;
  return latin1Text(line, start, end).toUpperCase();
}

/** Parses a complete command. */
export function parseCommand(source: CommandSource, options: ParseOptions): ParseResult {
  const tag = readTag(source.text);
  if (tag === null) return { kind: "syntaxError", tag: null, text: "Missing or invalid tag" };
  const c: ArgumentCursor = new ArgumentCursor(source, options);
  try {
    c.advance(tag.length + 1);
    let name = c.keyword();
    let uid = false;
    if (name === "UID") {
      c.expectSpace();
      name = c.keyword();
      if (!UID_COMMANDS.has(name)) c.fail(`UID ${name} is not a command`);
      uid = true;
    }
    const grammar = GRAMMARS[name];
    if (grammar === undefined) c.fail(`Unknown command ${name.slice(0, 32)}`);
    return { kind: "command", command: grammar(c, tag, uid) };
  } catch (error) {
    if (error instanceof WireSyntaxError) return { kind: "syntaxError", tag, text: error.message };
    return { kind: "syntaxError", tag, text: "Invalid command" };
  }
}
