// COPY (RFC 9051 §6.4.7) and MOVE (RFC 6851), with or without UID, answering COPYUID (RFC 4315).
// MOVE sends COPYUID untagged before its EXPUNGE responses (RFC 6851 §4.3).

import { normalizeMailboxName } from "../../mail/mailbox-name.js";
import {
  accountOf,
  type CommandContext,
  type CommandOutcome,
  no,
  ok,
  selectedOf,
} from "../session/command-context.js";
import { completeLimited, isOutcome, limitMessages } from "../session/message-limit.js";
import type { CommandOf } from "../wire/command.js";
import type { ResponseCode } from "../wire/response.js";
import { sequenceSetFromNumbers } from "../wire/seqset.js";

export async function copy(
  ctx: CommandContext,
  command: CommandOf<"copy" | "move">,
): Promise<CommandOutcome> {
  const account = accountOf(ctx);
  const selected = selectedOf(ctx);
  const isMove = command.name === "move";
  if (isMove && selected.isReadOnly) return no("Mailbox is read-only", { kind: "READ-ONLY" });
  const limited = limitMessages(
    ctx,
    selected.resolve(command.set, command.uid),
    command.uid,
    isMove ? "MOVE" : "COPY",
  );
  if (isOutcome(limited)) return limited;
  const entries = limited.entries;
  const target = await ctx.services.store.mailboxes.findByName(
    account.id,
    normalizeMailboxName(command.mailbox),
  );
  if (!target) return no(`Mailbox ${command.mailbox} does not exist`, { kind: "TRYCREATE" });
  const verb = isMove ? "MOVE" : "COPY";
  if (entries.length === 0) return ok(`${verb} completed (no messages)`);
  const uids = entries.map((e) => e.uid);
  const result = isMove
    ? await ctx.services.store.messages.move(account.id, selected.view.mailboxId, uids, target.id)
    : await ctx.services.store.messages.copy(account.id, selected.view.mailboxId, uids, target.id);
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
  for (const response of selected.expungedHere(result.sourceUids)) await ctx.send(response);
  return completeLimited(ctx, ok(`${verb} completed`), limited.isLimited, entries.length);
}
