// REPLACE and UID REPLACE (RFC 8508): appends the new message to the named mailbox and expunges the
// replaced one from the selected mailbox, in one store transaction. Answers as APPEND does (APPENDUID,
// RFC 4315) in an untagged OK sent before the EXPUNGE (or VANISHED) of the old message, as MOVE does.

import { noPermission } from "../../mail/access/mailbox-access.js";
import { permittedFlags } from "../../mail/access/rights.js";
import { appendSources } from "../append/append-sources.js";
import {
  accountOf,
  type CommandContext,
  type CommandOutcome,
  no,
  ok,
  selectedOf,
} from "../session/command-context.js";
import { parseImapFlags } from "../session/imap-flags.js";
import { openTarget } from "../session/mailbox-access.js";
import type { CommandOf } from "../wire/command.js";
import { sequenceSetFromNumbers } from "../wire/seqset.js";
import { toEpochMs } from "./append.js";

export async function replace(ctx: CommandContext, command: CommandOf<"replace">): Promise<CommandOutcome> {
  const account = accountOf(ctx);
  const selected = selectedOf(ctx);
  // Taken first, so a refused REPLACE never leaves its stored message to a later APPEND.
  const blobs = await ctx.session.takeAppendedBlobs();
  // A message number beyond the mailbox is a client error (BAD, thrown by resolve); a UID
  // no longer there is NO, as the client may not have seen another session's expunge yet.
  const [replaced] = selected.resolve(
    { kind: "ranges", ranges: [{ from: command.target, to: command.target }] },
    command.uid,
  );
  if (!replaced) return no(`Message UID ${command.target} does not exist`);
  if (selected.isReadOnly) return no("Mailbox is read-only", { kind: "READ-ONLY" });
  // RFC 4314 §4: it appends (i on the target), marks \Deleted (t) and expunges (e) here.
  if (!selected.rights.has("t")) throw noPermission("t");
  if (!selected.rights.has("e")) throw noPermission("e");
  const target = await openTarget(ctx, command.mailbox);
  if (!target) return no(`Mailbox ${command.mailbox} does not exist`, { kind: "TRYCREATE" });
  // RFC 8508 §4.4: the new message may be built with CATENATE, as with APPEND.
  const sources = await appendSources(ctx, account, [command.message], blobs);
  if (!Array.isArray(sources)) return sources;
  const [source] = sources;
  if (source === undefined) throw new Error("REPLACE literal and message disagree");
  const message = {
    ...source,
    flags: permittedFlags(parseImapFlags(command.message.flags), target.rights),
    ...(command.message.internalDate ? { internalDateMs: toEpochMs(command.message.internalDate) } : {}),
  };
  const sourceAccountId = selected.view.accountId;
  // Into another account's mailbox: two transactions, append there then expunge here (a crash between
  // them leaves both drafts, never neither).
  const { appended, expunged } =
    target.owner.id === sourceAccountId
      ? await ctx.services.messages.replace(
          sourceAccountId,
          selected.view.mailboxId,
          replaced.uid,
          target.mailbox.id,
          message,
        )
      : {
          appended: (
            await ctx.services.messages.appendBlobs(target.owner.id, target.mailbox.id, [message])
          )[0],
          expunged: await ctx.services.store.messages.expunge(sourceAccountId, selected.view.mailboxId, [
            replaced.uid,
          ]),
        };
  if (appended === undefined) throw new Error("REPLACE appended nothing");
  await ctx.send({
    kind: "condition",
    status: "OK",
    code: {
      kind: "APPENDUID",
      uidValidity: appended.uidValidity,
      uids: sequenceSetFromNumbers([appended.uid]),
    },
    text: "Replacement message ready",
  });
  for (const response of selected.expungedHere(expunged)) await ctx.send(response);
  return ok("REPLACE completed");
}
