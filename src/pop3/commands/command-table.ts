// Every POP3 command and its handler; `satisfies CommandTable` makes a missing handler a compile error.
import { apop } from "./apop.js";
import { auth } from "./auth.js";
import { capa } from "./capa.js";
import type { CommandTable } from "./command-handler.js";
import { dele } from "./dele.js";
import { list } from "./list.js";
import { noop } from "./noop.js";
import { pass } from "./pass.js";
import { quit } from "./quit.js";
import { retr } from "./retr.js";
import { rset } from "./rset.js";
import { stat } from "./stat.js";
import { stls } from "./stls.js";
import { top } from "./top.js";
import { uidl } from "./uidl.js";
import { user } from "./user.js";
import { utf8 } from "./utf8.js";

export const COMMANDS = {
  USER: user,
  PASS: pass,
  APOP: apop,
  AUTH: auth,
  CAPA: capa,
  STLS: stls,
  UTF8: utf8,
  STAT: stat,
  LIST: list,
  RETR: retr,
  DELE: dele,
  NOOP: noop,
  RSET: rset,
  QUIT: quit,
  TOP: top,
  UIDL: uidl,
} as const satisfies CommandTable;
