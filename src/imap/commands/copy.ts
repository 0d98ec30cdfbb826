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
  const entries = selected.resolve(command.set, command.uid);
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
  if (!isMove) return ok(`${verb} completed`, code);
  if (code) await ctx.send({ kind: "condition", status: "OK", code, text: "Moved" });
  for (const response of selected.expungedHere(result.sourceUids)) await ctx.send(response);
  return ok(`${verb} completed`);
}
