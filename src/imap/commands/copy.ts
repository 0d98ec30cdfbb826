// COPY (RFC 9051 §6.4.7) and MOVE (RFC 6851), with or without UID, answering COPYUID (RFC 4315).
// MOVE sends COPYUID untagged before its EXPUNGE responses (RFC 6851 §4.3). Over many messages they
// work in chunks with INPROGRESS reports (RFC 9585, session/progress.ts); a COPY that fails part way
// takes back what it copied. The target needs the i right (RFC 4314 §4), MOVE the t and e rights on the
// source. Into another account's mailbox, or where flags the user may not set must be dropped, the
// emails are appended anew there (then, for MOVE, expunged here: two transactions, so a crash between
// them leaves a copy, never a loss).

import type { Uid } from "../../kit/ids.js";
import { noPermission } from "../../mail/access/mailbox-access.js";
import { canChangeAllFlags, permittedFlags } from "../../mail/access/rights.js";
import type { CopyResult } from "../../store/mail-store.js";
import { type CommandContext, type CommandOutcome, no, ok, selectedOf } from "../session/command-context.js";
import { openTarget } from "../session/mailbox-access.js";
import { completeLimited, isOutcome, limitMessages } from "../session/message-limit.js";
import { inChunks } from "../session/progress.js";
import type { CommandOf } from "../wire/command.js";
import type { ResponseCode } from "../wire/response.js";
import { sequenceSetFromNumbers } from "../wire/seqset.js";

export async function copy(
  ctx: CommandContext,
  command: CommandOf<"copy" | "move">,
): Promise<CommandOutcome> {
  const selected = selectedOf(ctx);
  const isMove = command.name === "move";
  if (isMove && selected.isReadOnly) return no("Mailbox is read-only", { kind: "READ-ONLY" });
  if (isMove && !selected.rights.has("t")) throw noPermission("t");
  if (isMove && !selected.rights.has("e")) throw noPermission("e");
  const limited = limitMessages(
    ctx,
    selected.resolve(command.set, command.uid),
    command.uid,
    isMove ? "MOVE" : "COPY",
  );
  if (isOutcome(limited)) return limited;
  const entries = limited.entries;
  const target = await openTarget(ctx, command.mailbox);
  if (!target) return no(`Mailbox ${command.mailbox} does not exist`, { kind: "TRYCREATE" });
  const verb = isMove ? "MOVE" : "COPY";
  if (entries.length === 0) return ok(`${verb} completed (no messages)`);
  const uids = entries.map((e) => e.uid);
  const store = ctx.services.store.messages;
  const from = selected.view.mailboxId;
  const sourceAccountId = selected.view.accountId;
  const parts: CopyResult[] = [];
  let moved: readonly Uid[] | null = null;
  try {
    if (target.owner.id === sourceAccountId && canChangeAllFlags(target.rights)) {
      await inChunks(ctx, command.tag, uids, async (chunk) => {
        parts.push(
          await (isMove ? store.move : store.copy).call(
            store,
            sourceAccountId,
            from,
            chunk,
            target.mailbox.id,
          ),
        );
      });
    } else {
      const copied = await ctx.services.messages.copyAcross(
        sourceAccountId,
        entries,
        target.owner.id,
        target.mailbox.id,
        (entry) => permittedFlags(entry.flags, target.rights),
      );
      parts.push(copied);
      if (isMove) moved = await store.expunge(sourceAccountId, from, copied.sourceUids);
    }
  } catch (error) {
    const done = mergeResults(parts);
    if (isMove) {
      // What was moved before the failing chunk stays moved; the client must hear of it.
      for (const response of selected.expungedHere(done.sourceUids)) await ctx.send(response);
    } else if (done.destinationUids.length > 0) {
      // RFC 9051 §6.4.7: a failed COPY leaves the destination as it was.
      await store.expunge(target.owner.id, target.mailbox.id, done.destinationUids);
    }
    throw error;
  }
  const result = mergeResults(parts);
  const code: ResponseCode | null =
    result.sourceUids.length === 0
      ? null
      : {
          kind: "COPYUID",
          uidValidity: result.uidValidity,
          sourceUids: sequenceSetFromNumbers(result.sourceUids),
          destinationUids: sequenceSetFromNumbers(result.destinationUids),
        };
  if (!isMove) {
    // COPYUID goes untagged when the tagged reply carries LIMIT, as MOVE sends it (RFC 6851 §4.3).
    if (limited.isLimited && code) await ctx.send({ kind: "condition", status: "OK", code, text: "Copied" });
    const outcome = limited.isLimited ? ok(`${verb} completed`) : ok(`${verb} completed`, code);
    return completeLimited(ctx, outcome, limited.isLimited, entries.length);
  }
  if (code) await ctx.send({ kind: "condition", status: "OK", code, text: "Moved" });
  for (const response of selected.expungedHere(moved ?? result.sourceUids)) await ctx.send(response);
  return completeLimited(ctx, ok(`${verb} completed`), limited.isLimited, entries.length);
}

/** The COPYUID data of several chunks as one (chunks are in ascending source UID order). */
function mergeResults(parts: readonly CopyResult[]): CopyResult {
  return {
    uidValidity: parts[0]?.uidValidity ?? 0,
    sourceUids: parts.flatMap((p) => p.sourceUids),
    destinationUids: parts.flatMap((p) => p.destinationUids),
  };
}
