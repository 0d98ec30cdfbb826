// APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502: all messages or none), UIDPLUS APPENDUID
// (RFC 4315), BINARY literal8, UTF8 (RFC 6855) and CATENATE (RFC 4469). The message bytes were streamed
// to the blob store while they arrived, or held in memory when small (CATENATE messages are put together
// from their parts first); here they are indexed and committed in one transaction. Needs the i right on
// the mailbox (RFC 4314 §4); flags the user may not set are dropped, and the owner's quota is charged.

import { permittedFlags } from "../../mail/access/rights.js";
import { type AppendSource, appendSources } from "../append/append-sources.js";
import { accountOf, type CommandContext, type CommandOutcome, no, ok } from "../session/command-context.js";
import { parseImapFlags } from "../session/imap-flags.js";
import { openTarget } from "../session/mailbox-access.js";
import { messageLimitOf, overLimit } from "../session/message-limit.js";
import type { ImapDateTime } from "../wire/argument-cursor.js";
import type { CommandOf } from "../wire/command.js";
import { sequenceSetFromNumbers } from "../wire/seqset.js";

export async function append(ctx: CommandContext, command: CommandOf<"append">): Promise<CommandOutcome> {
  const account = accountOf(ctx);
  const blobs = await ctx.session.takeAppendedBlobs();
  const target = await openTarget(ctx, command.mailbox);
  if (!target) return no(`Mailbox ${command.mailbox} does not exist`, { kind: "TRYCREATE" });
  const limit = messageLimitOf(ctx);
  if (limit !== null && command.messages.length > limit) return overLimit("APPEND", limit);
  const sources = await appendSources(ctx, account, command.messages, blobs);
  if (!Array.isArray(sources)) return sources;
  const results = await ctx.services.messages.appendBlobs(
    target.owner.id,
    target.mailbox.id,
    command.messages.map((message, i) => ({
      ...(sources[i] as AppendSource),
      flags: permittedFlags(parseImapFlags(message.flags), target.rights),
      ...(message.internalDate ? { internalDateMs: toEpochMs(message.internalDate) } : {}),
    })),
  );
  const first = results[0];
  if (!first) return ok("APPEND completed");
  return ok("APPEND completed", {
    kind: "APPENDUID",
    uidValidity: first.uidValidity,
    uids: sequenceSetFromNumbers(results.map((r) => r.uid)),
  });
}

/** An APPEND date-time as epoch milliseconds (the zone offset applied). */
export function toEpochMs(date: ImapDateTime): number {
  return (
    Date.UTC(date.year, date.month - 1, date.day, date.hour, date.minute, date.second) -
    date.zoneMinutes * 60_000
  );
}
