// What the user does to messages, as Email/set calls (RFC 8621 §4.6): keywords, moves between mailboxes
// (mailboxIds patches, so a message's other mailboxes stay), deletion to Trash, destroy, emptying a mailbox.
import type { JmapClient } from "../jmap/client.js";
import type { ListEmail, Mailbox, SetError } from "../jmap/types.js";

interface SetResponse {
  readonly notUpdated?: Record<string, SetError> | null;
  readonly notDestroyed?: Record<string, SetError> | null;
}

function failures(response: SetResponse): string | null {
  const errors = { ...(response.notUpdated ?? {}), ...(response.notDestroyed ?? {}) };
  const first = Object.values(errors)[0];
  return first === undefined ? null : (first.description ?? first.type);
}

async function updateEmails(
  client: JmapClient,
  update: Record<string, Record<string, unknown>>,
): Promise<void> {
  if (Object.keys(update).length === 0) return;
  const response = await client.call<SetResponse>("Email/set", { update });
  const problem = failures(response);
  if (problem !== null) throw new Error(problem);
}

export async function setKeyword(
  client: JmapClient,
  ids: readonly string[],
  keyword: string,
  isSet: boolean,
): Promise<void> {
  const patch = { [`keywords/${keyword}`]: isSet ? true : null };
  await updateEmails(client, Object.fromEntries(ids.map((id) => [id, patch])));
}

/**
 * Moves messages into `target`: out of `from` when the list shows one mailbox, else out of every
 * mailbox they are in (a search across mailboxes).
 */
export async function moveEmails(
  client: JmapClient,
  emails: readonly ListEmail[],
  target: string,
  from: string | null,
): Promise<void> {
  const update: Record<string, Record<string, unknown>> = {};
  for (const email of emails) {
    if (from !== null && email.mailboxIds[from] === true) {
      if (from === target) continue;
      update[email.id] = { [`mailboxIds/${from}`]: null, [`mailboxIds/${target}`]: true };
    } else update[email.id] = { mailboxIds: { [target]: true } };
  }
  await updateEmails(client, update);
}

export async function destroyEmails(client: JmapClient, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    const response = await client.call<SetResponse>("Email/set", { destroy: ids.slice(i, i + 500) });
    const problem = failures(response);
    if (problem !== null) throw new Error(problem);
  }
}

/** Destroys every message of a mailbox (emptying Trash), in batches. */
export async function emptyMailbox(client: JmapClient, mailboxId: string): Promise<number> {
  let destroyed = 0;
  for (;;) {
    const query = await client.call<{ ids: string[] }>("Email/query", {
      filter: { inMailbox: mailboxId },
      limit: 500,
    });
    if (query.ids.length === 0) return destroyed;
    await destroyEmails(client, query.ids);
    destroyed += query.ids.length;
  }
}

export function mailboxWithRole(mailboxes: readonly Mailbox[], role: string): Mailbox | undefined {
  return mailboxes.find((mailbox) => mailbox.role === role);
}
