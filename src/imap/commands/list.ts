// LIST (RFC 9051 §6.3.9; LIST-EXTENDED RFC 5258, LIST-STATUS RFC 5819, SPECIAL-USE RFC 6154, CHILDREN
// RFC 3348, LIST-METADATA RFC 9590) and LSUB (RFC 3501 §6.3.9, still served to IMAP4rev2 sessions). One
// store read, matching in memory; one more per owning account for the annotations RETURN (METADATA …) asks for.
// Other accounts' mailboxes the user has the l right on (RFC 4314 §4) are listed in the shared namespace
// as `Shared/<owner>/<name>`, below the \Noselect levels "Shared" and "Shared/<owner>"; others not at all.

import type { AccountId, MailboxId } from "../../kit/ids.js";
import { ALL_RIGHTS, type RightSet } from "../../mail/access/rights.js";
import { HIERARCHY_DELIMITER } from "../../mail/mailbox-name.js";
import type { MetadataQuery, MetadataReadResult } from "../../mail/metadata/metadata-service.js";
import type { AccountRecord, MailboxRecord } from "../../store/mail-store.js";
import { collectMailboxFacts, listAttributes } from "../list/list-attributes.js";
import { selectListNames, selectLsubNames } from "../list/mailbox-listing.js";
import { compileMailboxPattern } from "../list/mailbox-pattern.js";
import { findUnadvertisedItem, readStatusItems, statusSourceOf } from "../list/mailbox-status.js";
import { accountOf, bad, type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import { sharedName } from "../session/mailbox-access.js";
import type { CommandOf } from "../wire/command.js";

export async function list(ctx: CommandContext, command: CommandOf<"list">): Promise<CommandOutcome> {
  const account = accountOf(ctx);
  const { selection, returns } = command;
  // Dovecot's "used_listext": any extended syntax changes the defaults below.
  const isExtended =
    selection.subscribed ||
    selection.remote ||
    selection.recursiveMatch ||
    selection.specialUse ||
    returns.subscribed ||
    returns.children ||
    returns.specialUse ||
    returns.status !== null ||
    returns.metadata !== null ||
    command.patterns.length > 1;
  if (!isExtended && command.patterns[0] === "") {
    await ctx.send({
      kind: "list",
      attributes: ["\\Noselect"],
      delimiter: HIERARCHY_DELIMITER,
      mailbox: referenceRoot(command.reference),
    });
    return ok("LIST completed");
  }
  if (returns.status !== null) {
    const unadvertised = findUnadvertisedItem(returns.status, ctx.session.capabilities());
    if (unadvertised !== null) {
      return bad(`STATUS ${unadvertised.item} needs ${unadvertised.capability}, which is not advertised`);
    }
  }
  const isSubscriptionNeeded = selection.subscribed || returns.subscribed;
  const [visible, subscriptions] = await Promise.all([
    visibleMailboxes(ctx, account),
    isSubscriptionNeeded ? ctx.services.store.mailboxes.listSubscriptions(account.id) : [],
  ]);
  const facts = collectMailboxFacts(visible, subscriptions);
  const records = new Map<string, VisibleMailbox>(visible.map((m) => [m.name, m]));
  const patterns = command.patterns.map((p) => compileMailboxPattern(command.reference, p));
  const attributeOptions = {
    isExtended,
    includeSubscribed: isSubscriptionNeeded,
    // CHILDREN is advertised: always say it (RFC 5258 §4 allows it without RETURN (CHILDREN)).
    includeChildren: true,
    // Dovecot: plain LIST always shows special uses; extended LIST when asked for.
    includeSpecialUse: !isExtended || returns.specialUse || selection.specialUse,
  };
  const statusSource = statusSourceOf(ctx);
  const listedNames = selectListNames(facts, patterns, selection);
  // Read (and check the entry names) before the first LIST line, so a bad name is a clean BAD.
  const metadata =
    returns.metadata === null
      ? null
      : await readListedMetadata(
          ctx,
          account,
          listedNames.flatMap((listed) => {
            const visible = records.get(listed.name);
            return visible !== undefined && listed.meetsSelection ? [visible] : [];
          }),
          {
            names: returns.metadata.entries,
            depth: returns.metadata.options.depth,
            maxSize: returns.metadata.options.maxSize,
          },
        );
  let longestOmittedBytes: number | null = null;
  for (const listed of listedNames) {
    await ctx.send({
      kind: "list",
      attributes: listAttributes(listed.name, facts, attributeOptions),
      delimiter: HIERARCHY_DELIMITER,
      mailbox: listed.name,
      childInfo: listed.childInfo,
    });
    const visibleMailbox = records.get(listed.name);
    // RFC 5819 §2: STATUS follows the LIST line of each selectable mailbox returned for itself (and
    // readable: STATUS needs the r right, RFC 4314 §4).
    if (
      returns.status !== null &&
      visibleMailbox !== undefined &&
      listed.meetsSelection &&
      visibleMailbox.rights.has("r")
    ) {
      const items = await readStatusItems(visibleMailbox.record, returns.status, statusSource);
      await ctx.send({ kind: "status", mailbox: visibleMailbox.name, items });
    }
    // RFC 9590 §3: the METADATA of each mailbox follows its LIST line.
    const annotations = visibleMailbox === undefined ? undefined : metadata?.get(visibleMailbox.record.id);
    if (visibleMailbox !== undefined && annotations !== undefined) {
      if (annotations.entries.length > 0) {
        await ctx.send({ kind: "metadata", mailbox: visibleMailbox.name, entries: annotations.entries });
      }
      if (annotations.longestOmittedBytes !== null) {
        longestOmittedBytes = Math.max(longestOmittedBytes ?? 0, annotations.longestOmittedBytes);
      }
    }
  }
  return ok(
    "LIST completed",
    longestOmittedBytes === null ? null : { kind: "METADATA LONGENTRIES", value: longestOmittedBytes },
  );
}

export async function lsub(ctx: CommandContext, command: CommandOf<"lsub">): Promise<CommandOutcome> {
  const account = accountOf(ctx);
  const [mailboxes, subscriptions] = await Promise.all([
    visibleMailboxes(ctx, account),
    ctx.services.store.mailboxes.listSubscriptions(account.id),
  ]);
  const facts = collectMailboxFacts(mailboxes, subscriptions);
  const pattern = compileMailboxPattern(command.reference, command.pattern);
  // Dovecot shows special uses in LSUB too (Outlook relies on it), but no children attributes, except
  // for Outlook (client-quirks.ts: outlook-lsub-without-children).
  const attributeOptions = {
    isExtended: false,
    includeSubscribed: false,
    includeChildren: ctx.session.quirks.isLsubChildrenShown,
    includeSpecialUse: true,
  };
  for (const { name, isParentOnly } of selectLsubNames(facts, pattern)) {
    await ctx.send({
      kind: "lsub",
      attributes: isParentOnly
        ? ["\\Noselect", ...(attributeOptions.includeChildren ? ["\\HasChildren"] : [])]
        : listAttributes(name, facts, attributeOptions),
      delimiter: HIERARCHY_DELIMITER,
      mailbox: name,
    });
  }
  return ok("LSUB completed");
}

/**
 * RETURN (METADATA …) for the listed mailboxes: one read per owning account. A shared folder's
 * annotations need l and r, as GETMETADATA does (RFC 5464 §3.4); the user's /private entries there are
 * their own.
 */
async function readListedMetadata(
  ctx: CommandContext,
  account: AccountRecord,
  listed: readonly VisibleMailbox[],
  query: MetadataQuery,
): Promise<Map<MailboxId, MetadataReadResult>> {
  const byOwner = new Map<AccountId, MailboxRecord[]>();
  for (const { record, rights } of listed) {
    if (!rights.has("l") || !rights.has("r")) continue;
    const records = byOwner.get(record.accountId);
    if (records === undefined) byOwner.set(record.accountId, [record]);
    else records.push(record);
  }
  // The user's own account first, so invalid entry names are refused (BAD) even with nothing listed.
  if (!byOwner.has(account.id)) byOwner.set(account.id, []);
  const results = new Map<MailboxId, MetadataReadResult>();
  for (const [ownerId, records] of byOwner) {
    const read = await ctx.services.metadata.readMany(ownerId, account.id, records, query);
    for (const [id, result] of read) results.set(id, result);
  }
  return results;
}

/** A mailbox the user may list, by the name they see it under. */
interface VisibleMailbox {
  readonly name: string;
  readonly specialUse: string | null;
  readonly record: MailboxRecord;
  readonly rights: RightSet;
}

/** The user's own mailboxes, then those other accounts share with them (l right), by their shared names. */
async function visibleMailboxes(ctx: CommandContext, account: AccountRecord): Promise<VisibleMailbox[]> {
  const user = { id: account.id, address: account.address };
  const [own, shared] = await Promise.all([
    ctx.services.mailboxes.list(account.id),
    ctx.services.access.sharedWith(user),
  ]);
  return [
    ...own.map((record) => ({
      name: record.name,
      specialUse: record.specialUse,
      record,
      rights: ALL_RIGHTS,
    })),
    ...shared.map(({ owner, mailbox, rights }) => ({
      name: sharedName(owner.address, mailbox.name),
      specialUse: null,
      record: mailbox,
      rights,
    })),
  ];
}

/**
 * `LIST reference ""` asks for the delimiter and the root of the reference (RFC 9051 §6.3.9): with one
 * empty-prefix namespace that is the reference up to its first delimiter, as UW-IMAP and Dovecot do.
 */
function referenceRoot(reference: string): string {
  const end = reference.indexOf(HIERARCHY_DELIMITER);
  return end < 0 ? "" : reference.slice(0, end + 1);
}
