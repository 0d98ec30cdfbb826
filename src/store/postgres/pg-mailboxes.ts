// MailboxRepository on PostgreSQL: create, rename with children, delete with tombstones, subscriptions,
// special-use and the atomic \Recent claim. Every write holds the account's row lock (pg-database.ts).
import { type AccountId, type MailboxId, newObjectId, type Uid } from "../../kit/ids.js";
import { MailError } from "../../kit/mail-error.js";
import type { MailboxRecord, MailboxRepository, SpecialUse } from "../mail-store.js";
import type { PgDatabase, Sql, WriteTx } from "./pg-database.js";
import { removeEntries, requireMailboxRow, transferEntries } from "./pg-entry-writes.js";
import { type AccountRow, type MailboxRow, toMailboxRecord } from "./pg-rows.js";
import { nextUidValidity } from "./pg-uid-validity.js";

export const INBOX = "INBOX";

export class PgMailboxes implements MailboxRepository {
  constructor(readonly sql: PgDatabase) {}

  async list(accountId: AccountId): Promise<MailboxRecord[]> {
    const rows = await this.sql.rows<MailboxRow & { subscribed: boolean }>(
      `SELECT m.*, s.name IS NOT NULL AS subscribed FROM mailboxes m
       LEFT JOIN subscriptions s ON s.account_id = m.account_id AND s.name = m.name
       WHERE m.account_id = $1 ORDER BY m.name`,
      [accountId],
    );
    return rows.map((row) => toMailboxRecord(row, row.subscribed));
  }

  async get(accountId: AccountId, id: MailboxId): Promise<MailboxRecord | undefined> {
    return recordOf(this.sql, "m.id = $2", accountId, id);
  }

  async findByName(accountId: AccountId, name: string): Promise<MailboxRecord | undefined> {
    return recordOf(this.sql, "m.name = $2", accountId, canonicalName(name));
  }

  async create(accountId: AccountId, name: string, specialUse: SpecialUse | null): Promise<MailboxRecord> {
    return this.sql.writeAccount(accountId, async (tx) => {
      const id = await insertMailbox(tx, accountId, name, specialUse);
      return requireRecord(tx, accountId, id);
    });
  }

  async rename(accountId: AccountId, id: MailboxId, newName: string): Promise<MailboxRecord> {
    return this.sql.writeAccount(accountId, async (tx, account) => {
      const mailbox = await requireMailboxRow(tx, accountId, id);
      if (await rowByName(tx, accountId, newName)) throw alreadyExists(newName);
      if (mailbox.name === INBOX) return this.#renameInbox(tx, account, mailbox, newName);
      if (newName === mailbox.name || newName.startsWith(`${mailbox.name}/`)) {
        throw new MailError("invalidName", "A mailbox cannot be moved below itself");
      }
      const prefix = `${mailbox.name}/`;
      const descendants = await tx.rows<MailboxRow>(
        "SELECT * FROM mailboxes WHERE account_id = $1 AND left(name, $2) = $3",
        [accountId, [...prefix].length, prefix],
      );
      for (const row of descendants) {
        const to = newName + row.name.slice(mailbox.name.length);
        if (await rowByName(tx, accountId, to)) throw alreadyExists(to);
      }
      const modSeq = await tx.nextModSeq(accountId);
      // One statement for the whole subtree: the name constraint is checked at its end (DEFERRABLE),
      // so a new name may equal a name another row of the subtree is vacating.
      const ids = [mailbox.id, ...descendants.map((row) => row.id)];
      await tx.run(
        `UPDATE mailboxes SET name = $1 || substr(name, $2), modseq = $3 WHERE id = ANY($4::text[])`,
        [newName, [...mailbox.name].length + 1, modSeq, ids],
      );
      for (const renamed of ids) tx.emit({ accountId, mailboxId: renamed as MailboxId, modSeq });
      return requireRecord(tx, accountId, id);
    });
  }

  /** RFC 9051 §6.3.6: renaming INBOX moves its messages to a new mailbox and leaves INBOX empty. */
  async #renameInbox(
    tx: WriteTx,
    account: AccountRow,
    inbox: MailboxRow,
    newName: string,
  ): Promise<MailboxRecord> {
    const accountId = account.id as AccountId;
    const targetId = await insertMailbox(tx, accountId, newName, null);
    const uids = (
      await tx.rows<{ uid: number }>("SELECT uid FROM entries WHERE mailbox_id = $1 ORDER BY uid", [inbox.id])
    ).map((r) => r.uid as Uid);
    if (uids.length > 0) await transferEntries(tx, account, inbox.id as MailboxId, uids, targetId, "move");
    return requireRecord(tx, accountId, targetId);
  }

  async delete(accountId: AccountId, id: MailboxId): Promise<void> {
    await this.sql.writeAccount(accountId, async (tx) => {
      const mailbox = await requireMailboxRow(tx, accountId, id);
      if (mailbox.name === INBOX) throw new MailError("cannot", "INBOX cannot be deleted");
      const modSeq = await tx.nextModSeq(accountId);
      const uids = (
        await tx.rows<{ uid: number }>("SELECT uid FROM entries WHERE mailbox_id = $1", [id])
      ).map((r) => r.uid as Uid);
      await removeEntries(tx, accountId, id, uids, modSeq);
      // The mailbox is gone with its UIDVALIDITY, so its per-entry tombstones serve no IMAP client;
      // JMAP learns of the emails through email tombstones and the mailbox tombstone.
      await tx.run("DELETE FROM entry_tombstones WHERE mailbox_id = $1", [id]);
      await tx.run(
        `INSERT INTO mailbox_tombstones (account_id, mailbox_id, modseq, created_modseq)
         SELECT account_id, id, $2, created_modseq FROM mailboxes WHERE id = $1`,
        [id, modSeq],
      );
      await tx.run("DELETE FROM mailboxes WHERE id = $1", [id]);
      tx.emit({ accountId, mailboxId: id, modSeq });
    });
  }

  async setSpecialUse(accountId: AccountId, id: MailboxId, specialUse: SpecialUse | null): Promise<void> {
    await this.sql.writeAccount(accountId, async (tx) => {
      await requireMailboxRow(tx, accountId, id);
      const modSeq = await tx.nextModSeq(accountId);
      await tx.run("UPDATE mailboxes SET special_use = $1, modseq = $2 WHERE id = $3", [
        specialUse,
        modSeq,
        id,
      ]);
      tx.emit({ accountId, mailboxId: id, modSeq });
    });
  }

  async setSubscribed(accountId: AccountId, name: string, subscribed: boolean): Promise<void> {
    await this.sql.writeAccount(accountId, async (tx) => {
      const mailbox = await rowByName(tx, accountId, name);
      const canonical = mailbox?.name ?? name;
      if (subscribed) {
        await tx.run("INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING", [
          accountId,
          canonical,
        ]);
      } else {
        await tx.run("DELETE FROM subscriptions WHERE account_id = $1 AND name = $2", [accountId, canonical]);
      }
      if (mailbox) {
        const modSeq = await tx.nextModSeq(accountId);
        await tx.run("UPDATE mailboxes SET modseq = $1 WHERE id = $2", [modSeq, mailbox.id]);
        tx.emit({ accountId, mailboxId: mailbox.id as MailboxId, modSeq });
      }
    });
  }

  async listSubscriptions(accountId: AccountId): Promise<string[]> {
    const rows = await this.sql.rows<{ name: string }>(
      "SELECT name FROM subscriptions WHERE account_id = $1",
      [accountId],
    );
    return rows.map((r) => r.name).sort();
  }

  async adoptUids(
    accountId: AccountId,
    id: MailboxId,
    uidValidity: number,
    uidNext: Uid,
  ): Promise<MailboxRecord> {
    return this.sql.writeAccount(accountId, async (tx) => {
      const mailbox = await requireMailboxRow(tx, accountId, id);
      if (Number(mailbox.uid_validity) !== uidValidity && Number(mailbox.uid_next) !== 1) {
        throw new MailError(
          "cannot",
          `Mailbox ${mailbox.name} already holds messages under another UIDVALIDITY`,
        );
      }
      const modSeq = await tx.nextModSeq(accountId);
      await tx.run(
        "UPDATE mailboxes SET uid_validity = $1, uid_next = GREATEST(uid_next, $2), modseq = $3 WHERE id = $4",
        [uidValidity, uidNext, modSeq, id],
      );
      // Mailboxes created later must not reuse it (RFC 9051 §2.3.1.1).
      await tx.run("UPDATE accounts SET last_uid_validity = GREATEST(last_uid_validity, $1) WHERE id = $2", [
        uidValidity,
        accountId,
      ]);
      tx.emit({ accountId, mailboxId: id, modSeq });
      return requireRecord(tx, accountId, id);
    });
  }

  async claimRecent(accountId: AccountId, id: MailboxId, uidNext: Uid): Promise<Uid> {
    // The row lock of the UPDATE makes concurrent claims queue; each sees the floor the previous one left.
    const row = await this.sql.one<{ previous: number }>(
      `UPDATE mailboxes m SET recent_floor = GREATEST(m.recent_floor, $3)
       FROM (SELECT id, recent_floor FROM mailboxes WHERE id = $1 AND account_id = $2 FOR UPDATE) AS old
       WHERE m.id = old.id RETURNING old.recent_floor AS previous`,
      [id, accountId, uidNext],
    );
    if (!row) throw new MailError("nonexistent", "Mailbox does not exist");
    return row.previous as Uid;
  }
}

/** INBOX is matched case-insensitively; other names exactly. */
function canonicalName(name: string): string {
  return name.toUpperCase() === INBOX ? INBOX : name;
}

function rowByName(sql: Sql, accountId: AccountId, name: string): Promise<MailboxRow | undefined> {
  return sql.one<MailboxRow>("SELECT * FROM mailboxes WHERE account_id = $1 AND name = $2", [
    accountId,
    canonicalName(name),
  ]);
}

async function recordOf(
  sql: Sql,
  condition: string,
  accountId: AccountId,
  value: string,
): Promise<MailboxRecord | undefined> {
  const row = await sql.one<MailboxRow & { subscribed: boolean }>(
    `SELECT m.*, s.name IS NOT NULL AS subscribed FROM mailboxes m
     LEFT JOIN subscriptions s ON s.account_id = m.account_id AND s.name = m.name
     WHERE m.account_id = $1 AND ${condition}`,
    [accountId, value],
  );
  return row && toMailboxRecord(row, row.subscribed);
}

async function requireRecord(sql: Sql, accountId: AccountId, id: MailboxId): Promise<MailboxRecord> {
  const record = await recordOf(sql, "m.id = $2", accountId, id);
  if (!record) throw new MailError("nonexistent", "Mailbox does not exist");
  return record;
}

async function insertMailbox(
  tx: WriteTx,
  accountId: AccountId,
  name: string,
  specialUse: SpecialUse | null,
): Promise<MailboxId> {
  if (await rowByName(tx, accountId, name)) throw alreadyExists(name);
  const modSeq = await tx.nextModSeq(accountId);
  const id = newObjectId("M") as MailboxId;
  await tx.run(
    `INSERT INTO mailboxes (id, account_id, name, uid_validity, highest_modseq, modseq, created_modseq,
                            special_use)
     VALUES ($1, $2, $3, $4, $5, $5, $5, $6)`,
    [id, accountId, name, await nextUidValidity(tx, accountId), modSeq, specialUse],
  );
  tx.emit({ accountId, mailboxId: id, modSeq });
  return id;
}

function alreadyExists(name: string): MailError {
  return new MailError("alreadyExists", `Mailbox ${name} already exists`);
}
