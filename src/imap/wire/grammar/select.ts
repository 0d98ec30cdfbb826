// SELECT (RFC 9051 §6.3.2) with the CONDSTORE and QRESYNC parameters of RFC 7162 §3.1.8 and §3.2.5.

import type { ModSeq } from "../../../kit/ids.js";
import type { ArgumentCursor } from "../argument-cursor.js";
import type { ImapCommand, QresyncParameters, SelectArguments } from "../command.js";

/** `mailbox [SP "(" select-param *(SP select-param) ")"]`, shared by SELECT and EXAMINE. */
export function parseSelectArguments(c: ArgumentCursor): SelectArguments {
  c.expectSpace();
  const mailbox = c.mailbox();
  let condstore = false;
  let qresync: QresyncParameters | null = null;
  if (c.skipSpace()) {
    c.list(() => {
      const name = c.keyword();
      if (name === "CONDSTORE") condstore = true;
      else if (name === "QRESYNC") {
        c.expectSpace();
        qresync = parseQresync(c);
      } else c.fail(`Unknown SELECT parameter ${name}`);
    }, false);
  }
  c.expectEnd();
  return { mailbox, condstore, qresync };
}

function parseQresync(c: ArgumentCursor): QresyncParameters {
  c.openList();
  const uidValidity = c.nzNumber();
  c.expectSpace();
  const modSeq = c.number64() as ModSeq;
  let knownUids: QresyncParameters["knownUids"] = null;
  let sequenceMatch: QresyncParameters["sequenceMatch"] = null;
  if (c.skipSpace()) {
    if (!c.isListStart()) {
      knownUids = c.sequenceSet(false);
      if (!c.skipSpace()) {
        c.closeList();
        return { uidValidity, modSeq, knownUids, sequenceMatch };
      }
    }
    c.openList();
    const sequences = c.sequenceSet(false);
    c.expectSpace();
    const uids = c.sequenceSet(false);
    c.closeList();
    sequenceMatch = { sequences, uids };
  }
  c.closeList();
  return { uidValidity, modSeq, knownUids, sequenceMatch };
}

export function parseSelect(c: ArgumentCursor, tag: string): ImapCommand {
  return { tag, name: "select", ...parseSelectArguments(c) };
}
