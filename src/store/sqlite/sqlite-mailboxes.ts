// MailboxRepository on SQLite: create, rename with children, delete with tombstones, subscriptions,
// special-use and the atomic \Recent claim.
import { type AccountId, type MailboxId, newObjectId, type Uid } from "../../kit/ids.js";
import { isMailError, MailError } from "../../kit/mail-error.js";
import type { MailboxRecord, MailboxRepository, SpecialUse } from "../mail-store.js";
import { type MailboxRow, toMailboxRecord } from "../record-rows.js";
import { removeEntries, transferEntries } from "./entry-writes.js";
import type { SqliteDatabase, WriteScope } from "./sqlite-database.js";
import { nextUidValidity } from "./uid-validity.js";

export const INBOX = "INBOX";

export class SqliteMailboxes implements MailboxRepository {
  constructor(readonly sql: SqliteDatabase) {}

  async list(accountId: AccountId): Promise<MailboxRecord[]> {
    const rows = this.sql
      .stmt<MailboxRow>("SELECT * FROM mailboxes WHERE account_id = ? ORDER BY name")
      .all(accountId);
    const subscribed = this.#subscribedNames(accountId);
    return rows.map((row) => toMailboxRecord(row, subscribed.has(row.name)));
  }

  async get(accountId: AccountId, id: MailboxId): Promise<MailboxRecord | undefined> {
    return this.#get(accountId, id);
  }

  async findByName(accountId: AccountId, name: string): Promise<MailboxRecord | undefined> {
    const row = this.#rowByName(accountId, name);
    return row && toMailboxRecord(row, this.#isSubscribed(accountId, row.name));
  }

  async create(accountId: AccountId, name: string, specialUse: SpecialUse | null): Promise<MailboxRecord> {
    return this.sql.write((scope) => {
      const id = this.#insert(scope, accountId, name, specialUse);
      return this.#require(accountId, id);
    });
  }

  async rename(accountId: AccountId, id: MailboxId, newName: string): Promise<MailboxRecord> {
    return this.sql.write((scope) => {
      const mailbox = this.#requireRow(accountId, id);
      if (this.#rowByName(accountId, newName)) throw alreadyExists(newName);
      if (mailbox.name === INBOX) return this.#renameInbox(scope, mailbox, newName);
      if (newName === mailbox.name || newName.startsWith(`${mailbox.name}/`)) {
        throw new MailError("invalidName", "A mailbox cannot be moved below itself");
      }
      const modSeq = scope.nextModSeq(accountId);
      const descendants = this.sql
        .stmt<MailboxRow>("SELECT * FROM mailboxes WHERE account_id = ? AND substr(name, 1, ?) = ?")
        .all(accountId, mailbox.name.length + 1, `${mailbox.name}/`);
      const renames = [mailbox, ...descendants].map((row) => ({
        row,
        to: newName + row.name.slice(mailbox.name.length),
      }));
      for (const { to } of renames.slice(1)) if (this.#rowByName(accountId, to)) throw alreadyExists(to);
      // Two passes so a rename never collides with a name it is about to vacate.
      for (const { row } of renames) {
        this.sql.stmt("UPDATE mailboxes SET name = ? WHERE id = ?").run(`\u0000renaming/${row.id}`, row.id);
      }
      for (const { row, to } of renames) {
        this.sql.stmt("UPDATE mailboxes SET name = ?, modseq = ? WHERE id = ?").run(to, modSeq, row.id);
        scope.emit({ accountId, mailboxId: row.id as MailboxId, modSeq });
      }
      return this.#require(accountId, id);
    });
  }

  /** RFC 9051 §6.3.6: renaming INBOX moves its messages to a new mailbox and leaves INBOX empty. */
  #renameInbox(scope: WriteScope, inbox: MailboxRow, newName: string): MailboxRecord {
    const accountId = inbox.account_id as AccountId;
    const targetId = this.#insert(scope, accountId, newName, null);
    const uids = this.sql
      .stmt<{ uid: number }>("SELECT uid FROM entries WHERE mailbox_id = ? ORDER BY uid")
      .all(inbox.id)
      .map((r) => r.uid as Uid);
    if (uids.length > 0) {
      transferEntries(this.sql, scope, accountId, inbox.id as MailboxId, uids, targetId, "move");
    }
    return this.#require(accountId, targetId);
  }

  async delete(accountId: AccountId, id: MailboxId): Promise<void> {
    this.sql.write((scope) => {
      const mailbox = this.#requireRow(accountId, id);
      if (mailbox.name === INBOX) throw new MailError("cannot", "INBOX cannot be deleted");
      const modSeq = scope.nextModSeq(accountId);
      const uids = this.sql
        .stmt<{ uid: number }>("SELECT uid FROM entries WHERE mailbox_id = ?")
        .all(id)
        .map((r) => r.uid as Uid);
      removeEntries(this.sql, accountId, id, uids, modSeq);
      // The mailbox is gone with its UIDVALIDITY, so its per-entry tombstones serve no IMAP client;
      // JMAP learns of the emails through email tombstones and the mailbox tombstone.
      this.sql.stmt("DELETE FROM entry_tombstones WHERE mailbox_id = ?").run(id);
      this.sql
        .stmt(
          `INSERT INTO mailbox_tombstones (account_id, mailbox_id, modseq, created_modseq)
           SELECT account_id, id, ?, created_modseq FROM mailboxes WHERE id = ?`,
        )
        .run(modSeq, id);
      this.sql.stmt("DELETE FROM mailboxes WHERE id = ?").run(id);
      scope.emit({ accountId, mailboxId: id, modSeq });
    });
  }

  async setSpecialUse(accountId: AccountId, id: MailboxId, specialUse: SpecialUse | null): Promise<void> {
    this.sql.write((scope) => {
      this.#requireRow(accountId, id);
      const modSeq = scope.nextModSeq(accountId);
      this.sql
        .stmt("UPDATE mailboxes SET special_use = ?, modseq = ? WHERE id = ?")
        .run(specialUse, modSeq, id);
      scope.emit({ accountId, mailboxId: id, modSeq });
    });
  }

  async setSubscribed(accountId: AccountId, name: string, subscribed: boolean): Promise<void> {
    this.sql.write((scope) => {
      const canonical = this.#rowByName(accountId, name)?.name ?? name;
      if (subscribed) {
        this.sql
          .stmt("INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (?, ?)")
          .run(accountId, canonical);
      } else {
        this.sql
          .stmt("DELETE FROM subscriptions WHERE account_id = ? AND name = ?")
          .run(accountId, canonical);
      }
      const mailbox = this.#rowByName(accountId, canonical);
      if (mailbox) {
        const modSeq = scope.nextModSeq(accountId);
        this.sql.stmt("UPDATE mailboxes SET modseq = ? WHERE id = ?").run(modSeq, mailbox.id);
        scope.emit({ accountId, mailboxId: mailbox.id as MailboxId, modSeq });
      }
    });
  }

  async listSubscriptions(accountId: AccountId): Promise<string[]> {
    return [...this.#subscribedNames(accountId)].sort();
  }

  async claimRecent(accountId: AccountId, id: MailboxId, uidNext: Uid): Promise<Uid> {
    // Most SELECTs find nothing new to claim and write nothing.
    const floor = this.#requireRow(accountId, id).recent_floor as Uid;
    if (uidNext <= floor) return floor;
    try {
      // Grouped, so this write's fsync runs off the main thread (sqlite-database.ts writeGrouped).
      return await this.sql.writeGrouped(() => {
        const mailbox = this.#requireRow(accountId, id);
        if (uidNext > mailbox.recent_floor) {
          this.sql.stmt("UPDATE mailboxes SET recent_floor = ? WHERE id = ?").run(uidNext, id);
        }
        return mailbox.recent_floor as Uid;
      });
    } catch (error) {
      // On a full disk a SELECT still works: this session just sees no message as \Recent.
      if (isMailError(error) && error.code === "noSpace") return uidNext;
      throw error;
    }
  }

  async adoptUids(
    accountId: AccountId,
    id: MailboxId,
    uidValidity: number,
    uidNext: Uid,
  ): Promise<MailboxRecord> {
    return this.sql.write((scope) => {
      const mailbox = this.#requireRow(accountId, id);
      if (mailbox.uid_validity !== uidValidity && mailbox.uid_next !== 1) {
        throw new MailError(
          "cannot",
          `Mailbox ${mailbox.name} already holds messages under another UIDVALIDITY`,
        );
      }
      const modSeq = scope.nextModSeq(accountId);
      this.sql
        .stmt("UPDATE mailboxes SET uid_validity = ?, uid_next = max(uid_next, ?), modseq = ? WHERE id = ?")
        .run(uidValidity, uidNext, modSeq, id);
      // Mailboxes created later must not reuse it (RFC 9051 §2.3.1.1).
      this.sql
        .stmt("UPDATE accounts SET last_uid_validity = max(last_uid_validity, ?) WHERE id = ?")
        .run(uidValidity, accountId);
      scope.emit({ accountId, mailboxId: id, modSeq });
      return this.#require(accountId, id);
    });
  }

  #insert(scope: WriteScope, accountId: AccountId, name: string, specialUse: SpecialUse | null): MailboxId {
    if (this.#rowByName(accountId, name)) throw alreadyExists(name);
    const modSeq = scope.nextModSeq(accountId);
    const id = newObjectId("M") as MailboxId;
    this.sql
      .stmt(
        `INSERT INTO mailboxes (id, account_id, name, uid_validity, highest_modseq, modseq, created_modseq,
                                special_use)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, accountId, name, nextUidValidity(this.sql, accountId), modSeq, modSeq, modSeq, specialUse);
    scope.emit({ accountId, mailboxId: id, modSeq });
    return id;
  }

  #rowByName(accountId: AccountId, name: string): MailboxRow | undefined {
    const canonical = name.toUpperCase() === INBOX ? INBOX : name;
    return this.sql
      .stmt<MailboxRow>("SELECT * FROM mailboxes WHERE account_id = ? AND name = ?")
      .get(accountId, canonical);
  }

  #get(accountId: AccountId, id: MailboxId): MailboxRecord | undefined {
    const row = this.sql
      .stmt<MailboxRow>("SELECT * FROM mailboxes WHERE id = ? AND account_id = ?")
      .get(id, accountId);
    return row && toMailboxRecord(row, this.#isSubscribed(accountId, row.name));
  }

  #requireRow(accountId: AccountId, id: MailboxId): MailboxRow {
    const row = this.sql
      .stmt<MailboxRow>("SELECT * FROM mailboxes WHERE id = ? AND account_id = ?")
      .get(id, accountId);
    if (!row) throw new MailError("nonexistent", "Mailbox does not exist");
    return row;
  }

  #require(accountId: AccountId, id: MailboxId): MailboxRecord {
    const record = this.#get(accountId, id);
    if (!record) throw new MailError("nonexistent", "Mailbox does not exist");
    return record;
  }

  #isSubscribed(accountId: AccountId, name: string): boolean {
    return (
      this.sql.stmt("SELECT 1 FROM subscriptions WHERE account_id = ? AND name = ?").get(accountId, name) !==
      undefined
    );
  }

  #subscribedNames(accountId: AccountId): Set<string> {
    const rows = this.sql
      .stmt<{ name: string }>("SELECT name FROM subscriptions WHERE account_id = ?")
      .all(accountId);
    return new Set(rows.map((r) => r.name));
  }
}

function alreadyExists(name: string): MailError {
  return new MailError("alreadyExists", `Mailbox ${name} already exists`);
}
