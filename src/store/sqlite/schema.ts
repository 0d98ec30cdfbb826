// The embedded store's schema as forward-only migrations; PRAGMA user_version records how many ran.
// Change log (ARCHITECTURE.md): every row carries the account modseq of its last change; expunged
// entries, destroyed emails and deleted mailboxes leave tombstones, so any modseq can be caught up from.

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    address TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    quota_bytes INTEGER,
    quota_messages INTEGER,
    used_bytes INTEGER NOT NULL DEFAULT 0,
    message_count INTEGER NOT NULL DEFAULT 0,
    highest_modseq INTEGER NOT NULL DEFAULT 0,
    last_uid_validity INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE mailboxes (
    id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    uid_validity INTEGER NOT NULL,
    uid_next INTEGER NOT NULL DEFAULT 1,
    highest_modseq INTEGER NOT NULL,
    modseq INTEGER NOT NULL,
    special_use TEXT,
    message_count INTEGER NOT NULL DEFAULT 0,
    unseen_count INTEGER NOT NULL DEFAULT 0,
    deleted_count INTEGER NOT NULL DEFAULT 0,
    total_bytes INTEGER NOT NULL DEFAULT 0,
    recent_floor INTEGER NOT NULL DEFAULT 1,
    UNIQUE (account_id, name)
  );

  CREATE TABLE mailbox_tombstones (
    account_id INTEGER NOT NULL,
    mailbox_id TEXT NOT NULL,
    modseq INTEGER NOT NULL
  );
  CREATE INDEX mailbox_tombstones_by_modseq ON mailbox_tombstones (account_id, modseq);

  CREATE TABLE subscriptions (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    PRIMARY KEY (account_id, name)
  ) WITHOUT ROWID;

  -- Rowid tables (not WITHOUT ROWID): their rows are large, and the hot columns (envelope, body
  -- structure) stay apart from the bulky index JSON and search text, which FETCH rarely needs.
  CREATE TABLE emails (
    id TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL,
    blob_hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    thread_id TEXT NOT NULL,
    message_id TEXT,
    sent_at INTEGER,
    envelope TEXT NOT NULL,
    body_structure TEXT NOT NULL,
    body TEXT NOT NULL,
    preview TEXT NOT NULL,
    entry_count INTEGER NOT NULL DEFAULT 0,
    destroyed_at INTEGER
  );
  CREATE INDEX emails_destroyed ON emails (destroyed_at) WHERE destroyed_at IS NOT NULL;
  CREATE INDEX emails_by_message_id ON emails (account_id, message_id);
  CREATE INDEX emails_by_blob ON emails (blob_hash);

  CREATE TABLE email_index (
    email_id TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    json TEXT NOT NULL
  );

  CREATE TABLE email_search (
    email_id TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    from_text TEXT NOT NULL,
    to_text TEXT NOT NULL,
    cc_text TEXT NOT NULL,
    bcc_text TEXT NOT NULL,
    body_text TEXT NOT NULL
  );

  CREATE TABLE email_tombstones (
    account_id INTEGER NOT NULL,
    email_id TEXT NOT NULL,
    modseq INTEGER NOT NULL
  );
  CREATE INDEX email_tombstones_by_modseq ON email_tombstones (account_id, modseq);

  CREATE TABLE entries (
    mailbox_id TEXT NOT NULL,
    uid INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    modseq INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    keywords TEXT NOT NULL,
    email_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    size INTEGER NOT NULL,
    internal_date INTEGER NOT NULL,
    save_date INTEGER NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
  ) WITHOUT ROWID;
  CREATE INDEX entries_by_mailbox_modseq ON entries (mailbox_id, modseq);
  CREATE INDEX entries_by_account_modseq ON entries (account_id, modseq);
  CREATE INDEX entries_by_email ON entries (email_id);

  CREATE TABLE entry_tombstones (
    mailbox_id TEXT NOT NULL,
    uid INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    email_id TEXT NOT NULL,
    modseq INTEGER NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
  ) WITHOUT ROWID;
  CREATE INDEX entry_tombstones_by_mailbox_modseq ON entry_tombstones (mailbox_id, modseq);
  CREATE INDEX entry_tombstones_by_account_modseq ON entry_tombstones (account_id, modseq);
  `,
  // 2: local domains, aliases with several targets, per-domain catch-all (inbound delivery).
  `
  CREATE TABLE domains (
    name TEXT PRIMARY KEY,
    catch_all TEXT,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE alias_targets (
    address TEXT NOT NULL,
    domain TEXT NOT NULL,
    target TEXT NOT NULL,
    PRIMARY KEY (address, target)
  ) WITHOUT ROWID;
  CREATE INDEX alias_targets_by_domain ON alias_targets (domain, address);
  `,
  // 3: email_search now holds folded text (mime/search-fold.ts) so instr() matches case-insensitively.
  // SQL can fold only ASCII here; rows indexed earlier with non-ASCII capitals need a reindex.
  `
  UPDATE email_search SET subject = lower(subject), from_text = lower(from_text), to_text = lower(to_text),
    cc_text = lower(cc_text), bcc_text = lower(bcc_text), body_text = lower(body_text);
  `,
  // 4: the size with bare LFs counted as CRLF, for exact POP3 octet counts; NULL means equal to size.
  `
  ALTER TABLE emails ADD COLUMN crlf_size INTEGER;
  `,
  // 5: SCRAM-SHA-256 keys beside the password hash (bound to the hash they came from, so a password set
  // without them can never leave stale keys valid) and application passwords (auth/, docs/security.md).
  `
  CREATE TABLE account_scram (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    scram_sha256 TEXT NOT NULL
  );

  CREATE TABLE app_passwords (
    id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    UNIQUE (account_id, label)
  );
  `,
  // 6: a trigram index over the folded search text, so a SEARCH substring of three or more characters
  // is answered from the index (docs/performance.md "Search index"). email_search first gets an
  // INTEGER PRIMARY KEY: the index refers to its rows by rowid, which VACUUM may renumber otherwise.
  // Triggers keep the index in step with every insert, update and delete of email_search, inside the
  // same transaction; case_sensitive 1 because the text is already folded by mime/search-fold.ts.
  `
  CREATE TABLE email_search_keyed (
    id INTEGER PRIMARY KEY,
    email_id TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    from_text TEXT NOT NULL,
    to_text TEXT NOT NULL,
    cc_text TEXT NOT NULL,
    bcc_text TEXT NOT NULL,
    body_text TEXT NOT NULL
  );
  INSERT INTO email_search_keyed (id, email_id, subject, from_text, to_text, cc_text, bcc_text, body_text)
    SELECT rowid, email_id, subject, from_text, to_text, cc_text, bcc_text, body_text FROM email_search;
  DROP TABLE email_search;
  ALTER TABLE email_search_keyed RENAME TO email_search;

  CREATE VIRTUAL TABLE email_search_fts USING fts5 (
    subject, from_text, to_text, cc_text, bcc_text, body_text,
    content = 'email_search', content_rowid = 'id', tokenize = 'trigram case_sensitive 1', detail = 'full'
  );
  CREATE TRIGGER email_search_fts_insert AFTER INSERT ON email_search BEGIN
    INSERT INTO email_search_fts (rowid, subject, from_text, to_text, cc_text, bcc_text, body_text)
      VALUES (new.id, new.subject, new.from_text, new.to_text, new.cc_text, new.bcc_text, new.body_text);
  END;
  CREATE TRIGGER email_search_fts_delete AFTER DELETE ON email_search BEGIN
    INSERT INTO email_search_fts (email_search_fts, rowid, subject, from_text, to_text, cc_text, bcc_text, body_text)
      VALUES ('delete', old.id, old.subject, old.from_text, old.to_text, old.cc_text, old.bcc_text, old.body_text);
  END;
  CREATE TRIGGER email_search_fts_update AFTER UPDATE ON email_search BEGIN
    INSERT INTO email_search_fts (email_search_fts, rowid, subject, from_text, to_text, cc_text, bcc_text, body_text)
      VALUES ('delete', old.id, old.subject, old.from_text, old.to_text, old.cc_text, old.bcc_text, old.body_text);
    INSERT INTO email_search_fts (rowid, subject, from_text, to_text, cc_text, bcc_text, body_text)
      VALUES (new.id, new.subject, new.from_text, new.to_text, new.cc_text, new.bcc_text, new.body_text);
  END;
  INSERT INTO email_search_fts (email_search_fts) VALUES ('rebuild');
  `,
  // 7: the trigram index without token positions (detail = column): matchEmails looks up a needle's
  // trigrams as an AND of terms and verifies candidates with instr() anyway, so positions only cost
  // space and append time (docs/performance.md "Search index"). Same triggers, rebuilt from email_search.
  `
  DROP TRIGGER email_search_fts_insert;
  DROP TRIGGER email_search_fts_delete;
  DROP TRIGGER email_search_fts_update;
  DROP TABLE email_search_fts;
  CREATE VIRTUAL TABLE email_search_fts USING fts5 (
    subject, from_text, to_text, cc_text, bcc_text, body_text,
    content = 'email_search', content_rowid = 'id', tokenize = 'trigram case_sensitive 1', detail = 'column'
  );
  CREATE TRIGGER email_search_fts_insert AFTER INSERT ON email_search BEGIN
    INSERT INTO email_search_fts (rowid, subject, from_text, to_text, cc_text, bcc_text, body_text)
      VALUES (new.id, new.subject, new.from_text, new.to_text, new.cc_text, new.bcc_text, new.body_text);
  END;
  CREATE TRIGGER email_search_fts_delete AFTER DELETE ON email_search BEGIN
    INSERT INTO email_search_fts (email_search_fts, rowid, subject, from_text, to_text, cc_text, bcc_text, body_text)
      VALUES ('delete', old.id, old.subject, old.from_text, old.to_text, old.cc_text, old.bcc_text, old.body_text);
  END;
  CREATE TRIGGER email_search_fts_update AFTER UPDATE ON email_search BEGIN
    INSERT INTO email_search_fts (email_search_fts, rowid, subject, from_text, to_text, cc_text, bcc_text, body_text)
      VALUES ('delete', old.id, old.subject, old.from_text, old.to_text, old.cc_text, old.bcc_text, old.body_text);
    INSERT INTO email_search_fts (rowid, subject, from_text, to_text, cc_text, bcc_text, body_text)
      VALUES (new.id, new.subject, new.from_text, new.to_text, new.cc_text, new.bcc_text, new.body_text);
  END;
  INSERT INTO email_search_fts (email_search_fts) VALUES ('rebuild');
  `,
  // 8: every top-level header field (lower-case name, folded decoded value) so IMAP `HEADER name value`
  // (RFC 9051 §6.4.4) is answered from the index, never from the message (docs/performance.md "Search
  // index"): by (email_id, name) for field presence, by a trigram index over the values for substrings.
  // Rows go with their email (ON DELETE CASCADE). Emails stored before this migration have no rows here
  // until migration 11 queues them for header-backfill.ts. IF NOT EXISTS: a second run harms nothing.
  `
  CREATE TABLE IF NOT EXISTS email_headers (
    id INTEGER PRIMARY KEY,
    email_id TEXT NOT NULL REFERENCES emails(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS email_headers_by_email ON email_headers (email_id, name);
  CREATE VIRTUAL TABLE IF NOT EXISTS email_headers_fts USING fts5 (
    value, content = 'email_headers', content_rowid = 'id', tokenize = 'trigram case_sensitive 1', detail = 'none'
  );
  CREATE TRIGGER IF NOT EXISTS email_headers_fts_insert AFTER INSERT ON email_headers BEGIN
    INSERT INTO email_headers_fts (rowid, value) VALUES (new.id, new.value);
  END;
  CREATE TRIGGER IF NOT EXISTS email_headers_fts_delete AFTER DELETE ON email_headers BEGIN
    INSERT INTO email_headers_fts (email_headers_fts, rowid, value) VALUES ('delete', old.id, old.value);
  END;
  CREATE TRIGGER IF NOT EXISTS email_headers_fts_update AFTER UPDATE ON email_headers BEGIN
    INSERT INTO email_headers_fts (email_headers_fts, rowid, value) VALUES ('delete', old.id, old.value);
    INSERT INTO email_headers_fts (rowid, value) VALUES (new.id, new.value);
  END;
  `,
  // 9: a covering index for SENTBEFORE/SENTON/SENTSINCE, so a sent-date search reads the stored Date:
  // instant (emails.sent_at) of each of the mailbox's emails without reading their rows.
  `
  CREATE INDEX IF NOT EXISTS emails_sent_at ON emails (id, sent_at);
  `,
  // 10: SORT/THREAD keys per email (RFC 5256, RFC 5957; mime/sort-keys.ts), written at append, so a SORT
  // or THREAD reads one small row per message. Older emails have no row: sqlite-sort-keys.ts computes
  // theirs from email_index when asked. Rows go with their email.
  `
  CREATE TABLE IF NOT EXISTS email_sort_keys (
    email_id TEXT PRIMARY KEY REFERENCES emails(id) ON DELETE CASCADE,
    sent_at INTEGER,
    base_subject TEXT NOT NULL,
    is_reply INTEGER NOT NULL,
    from_mailbox TEXT NOT NULL,
    to_mailbox TEXT NOT NULL,
    cc_mailbox TEXT NOT NULL,
    display_from TEXT NOT NULL,
    display_to TEXT NOT NULL,
    message_id TEXT,
    reference_ids TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 11: the emails whose header fields are not in email_headers yet: stored before migration 8 (index
  // version 1, no rows). header-backfill.ts empties this queue at open, before the store is used, so
  // HEADER finds them too; a crash mid-way leaves the rest queued for the next open. A destroyed email
  // leaves the queue with its row. IF NOT EXISTS and OR IGNORE: a second run queues nothing twice.
  `
  CREATE TABLE IF NOT EXISTS email_headers_backfill (
    email_id TEXT PRIMARY KEY REFERENCES emails(id) ON DELETE CASCADE
  );
  INSERT OR IGNORE INTO email_headers_backfill (email_id)
    SELECT i.email_id FROM email_index i JOIN emails m ON m.id = i.email_id
    WHERE i.version < 2 AND NOT EXISTS (SELECT 1 FROM email_headers h WHERE h.email_id = i.email_id);
  `,
  // 12: no trigram index over header values: its ten or so small index rows per message were about a
  // fifth of a bulk append's CPU time. HEADER now takes its candidates from the text index of migrations 6-7,
  // which holds every header value kept for search, and checks their email_headers rows
  // (docs/performance.md "Search index"). IF EXISTS: a second run harms nothing.
  `
  DROP TRIGGER IF EXISTS email_headers_fts_insert;
  DROP TRIGGER IF EXISTS email_headers_fts_delete;
  DROP TRIGGER IF EXISTS email_headers_fts_update;
  DROP TABLE IF EXISTS email_headers_fts;
  `,
  // 13: mailbox and server annotations (RFC 5464 METADATA; store/mail-store.ts MetadataRepository). A row
  // is keyed by (account, mailbox or NULL for the server, owner of a private entry or NULL for a shared
  // one, name below /private or /shared); the unique index spells the NULLs out so they compare equal.
  // Rows go with their mailbox and their accounts (ON DELETE CASCADE); a rename keeps the mailbox id.
  `
  CREATE TABLE IF NOT EXISTS metadata (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    mailbox_id TEXT REFERENCES mailboxes(id) ON DELETE CASCADE,
    owner_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value BLOB NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS metadata_key
    ON metadata (account_id, ifnull(mailbox_id, ''), ifnull(owner_id, 0), name);
  CREATE INDEX IF NOT EXISTS metadata_by_mailbox ON metadata (mailbox_id);
  CREATE INDEX IF NOT EXISTS metadata_by_owner ON metadata (owner_id);
  `,
  // 14: access control lists of mailboxes (RFC 4314; sqlite-acl.ts): one row per mailbox and identifier
  // (a grantee's address, "anyone" or "authenticated"), rights as canonical letters. Rows go with their
  // mailbox (DELETE removes the ACL, RENAME keeps it); by identifier for "what is shared with me".
  `
  CREATE TABLE IF NOT EXISTS mailbox_acl (
    mailbox_id TEXT NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL,
    identifier TEXT NOT NULL,
    rights TEXT NOT NULL,
    PRIMARY KEY (mailbox_id, identifier)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS mailbox_acl_by_identifier ON mailbox_acl (identifier);
  `,
  // 15: small message bodies kept in the database (sqlite-blob-store.ts): an append that brings its body
  // (NewMessage.body, up to INLINE_BODY_MAX_BYTES) writes it here in its own transaction, so one WAL
  // commit and fsync make body and rows durable together. Larger bodies and blobs.put() stay files.
  `
  CREATE TABLE IF NOT EXISTS message_blobs (
    hash TEXT PRIMARY KEY,
    bytes BLOB NOT NULL
  );
  `,
  // 16: JMAP uploads (RFC 8620 §6.1; sqlite-uploads.ts): a blob uploaded by an account, kept from garbage
  // collection until the row expires; by creation time for the expiry sweep.
  `
  CREATE TABLE IF NOT EXISTS jmap_uploads (
    id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    blob_hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    type TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS jmap_uploads_by_created ON jmap_uploads (created_at);
  CREATE INDEX IF NOT EXISTS jmap_uploads_by_blob ON jmap_uploads (blob_hash);
  `,
  // 17: creation modseqs (JMAP /changes `created`, RFC 8620 §5.2): the modseq at which each email and mailbox
  // appeared in its account, kept on the tombstones too (with the email's thread, for Thread/changes) so a
  // destroyed object is told apart from one created and destroyed since a state. Rows stored earlier read
  // 0: created before any state a client holds, so they show as updated, as before.
  `
  ALTER TABLE emails ADD COLUMN created_modseq INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE mailboxes ADD COLUMN created_modseq INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE email_tombstones ADD COLUMN created_modseq INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE email_tombstones ADD COLUMN thread_id TEXT;
  ALTER TABLE mailbox_tombstones ADD COLUMN created_modseq INTEGER NOT NULL DEFAULT 0;
  `,
  // 18: a POP3 UIDL brought by an import (admin/maildir-import.ts: dovecot-uidlist's P field), returned
  // by listImportedUidls instead of the computed one so POP3 clients do not download everything again.
  // The partial index keeps the per-login lookup free for mailboxes without imported UIDLs.
  `
  ALTER TABLE entries ADD COLUMN pop3_uidl TEXT;
  CREATE INDEX IF NOT EXISTS entries_imported_uidl ON entries (mailbox_id) WHERE pop3_uidl IS NOT NULL;
  `,
  // 19: JMAP objects without an IMAP counterpart (sqlite-jmap-objects.ts): EmailSubmissions and Identity
  // settings as JSON, each type with its own modseq counter; destroyed ones stay as tombstones (data NULL).
  `
  CREATE TABLE IF NOT EXISTS jmap_objects (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT,
    created_modseq INTEGER NOT NULL,
    modseq INTEGER NOT NULL,
    PRIMARY KEY (account_id, type, id)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS jmap_objects_by_modseq ON jmap_objects (account_id, type, modseq);
  `,
  // 20: the outbound queue (sqlite-outbound-queue.ts, docs/submission.md): one row per remote recipient of a
  // submitted message, its bytes a blob (kept from garbage collection while queued); by due time for the
  // sender's poll, by blob for isBlobReferenced. A deleted account's queued mail is still sent.
  `
  CREATE TABLE IF NOT EXISTS outbound_queue (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    submission_id TEXT,
    return_path TEXT NOT NULL,
    recipient TEXT NOT NULL,
    blob_hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
  );
  CREATE INDEX IF NOT EXISTS outbound_queue_by_due ON outbound_queue (next_attempt_at);
  CREATE INDEX IF NOT EXISTS outbound_queue_by_message ON outbound_queue (message_id);
  CREATE INDEX IF NOT EXISTS outbound_queue_by_blob ON outbound_queue (blob_hash);
  `,
  // 21: Sieve scripts (RFC 5804; sqlite-sieve.ts): one row per account and name, at most one active
  // (the partial unique index enforces it); and the automatic replies sent (RFC 5230 §4.2), one row per
  // account and key (sender + handle) with the time of the last reply, for :days de-duplication.
  `
  CREATE TABLE IF NOT EXISTS sieve_scripts (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    content TEXT NOT NULL,
    size INTEGER NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, name)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX IF NOT EXISTS sieve_scripts_one_active ON sieve_scripts (account_id) WHERE is_active = 1;
  CREATE TABLE IF NOT EXISTS sieve_auto_replies (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, key)
  ) WITHOUT ROWID;
  `,
  // 22: whether an email has an attachment (MessageIndex.hasAttachment, the JMAP Email property), so the
  // search planner answers JMAP's hasAttachment filter from a column instead of reading each index JSON;
  // emails stored earlier take it from their index JSON once, here. Safe to run twice.
  `
  ALTER TABLE emails ADD COLUMN has_attachment INTEGER NOT NULL DEFAULT 0;
  UPDATE emails SET has_attachment = 1 WHERE has_attachment = 0 AND id IN
    (SELECT email_id FROM email_index WHERE json_extract(json, '$.hasAttachment') = 1);
  `,
  // 23: signing secrets. DKIM keys, one per domain (sqlite-dkim-keys.ts, docs/dkim-and-auth.md), and IMAP
  // URLAUTH mailbox access keys (RFC 4467 §3, sqlite-urlauth-keys.ts), which go with their mailbox.
  `
  CREATE TABLE IF NOT EXISTS dkim_keys (
    domain TEXT PRIMARY KEY,
    selector TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    private_key TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS urlauth_keys (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    mailbox_id TEXT NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    key BLOB NOT NULL,
    PRIMARY KEY (account_id, mailbox_id)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS urlauth_keys_by_mailbox ON urlauth_keys (mailbox_id);
  `,
  // 24: leases on background work one process at a time should do (sqlite-leases.ts): the blob collector,
  // which a CLI command may run beside the server.
  `
  CREATE TABLE IF NOT EXISTS leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until_ms INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 25: the trigram index catches up after the commit instead of inside it (search-indexer.ts): rows of
  // email_search up to search_index_progress.indexed_upto are in email_search_fts, later ones are
  // indexed by a worker thread's connection and meanwhile searched by scanning them (sqlite-search.ts),
  // so results stay exact. The triggers touch the index only for rows it holds; a reused rowid at or
  // below the mark (the last rows deleted, then a new one) is indexed at once. Existing rows are all
  // indexed, so the mark starts at the last one. OR IGNORE and DROP/CREATE: a second run changes nothing.
  `
  CREATE TABLE IF NOT EXISTS search_index_progress (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_upto INTEGER NOT NULL
  );
  INSERT OR IGNORE INTO search_index_progress (id, indexed_upto)
    SELECT 1, coalesce(max(id), 0) FROM email_search;
  DROP TRIGGER IF EXISTS email_search_fts_insert;
  DROP TRIGGER IF EXISTS email_search_fts_delete;
  DROP TRIGGER IF EXISTS email_search_fts_update;
  CREATE TRIGGER email_search_fts_insert AFTER INSERT ON email_search
    WHEN new.id <= (SELECT indexed_upto FROM search_index_progress) BEGIN
    INSERT INTO email_search_fts (rowid, subject, from_text, to_text, cc_text, bcc_text, body_text)
      VALUES (new.id, new.subject, new.from_text, new.to_text, new.cc_text, new.bcc_text, new.body_text);
  END;
  CREATE TRIGGER email_search_fts_delete AFTER DELETE ON email_search
    WHEN old.id <= (SELECT indexed_upto FROM search_index_progress) BEGIN
    INSERT INTO email_search_fts (email_search_fts, rowid, subject, from_text, to_text, cc_text, bcc_text, body_text)
      VALUES ('delete', old.id, old.subject, old.from_text, old.to_text, old.cc_text, old.bcc_text, old.body_text);
  END;
  CREATE TRIGGER email_search_fts_update AFTER UPDATE ON email_search
    WHEN old.id <= (SELECT indexed_upto FROM search_index_progress) BEGIN
    INSERT INTO email_search_fts (email_search_fts, rowid, subject, from_text, to_text, cc_text, bcc_text, body_text)
      VALUES ('delete', old.id, old.subject, old.from_text, old.to_text, old.cc_text, old.bcc_text, old.body_text);
    INSERT INTO email_search_fts (rowid, subject, from_text, to_text, cc_text, bcc_text, body_text)
      VALUES (new.id, new.subject, new.from_text, new.to_text, new.cc_text, new.bcc_text, new.body_text);
  END;
  `,
  // 26: accounts by the domain part of their address, the exact expression sqlite-domains.ts matches on:
  // a domain without a row of its own is local when an account has it, asked at every RCPT, which
  // scanned every account.
  `
  CREATE INDEX IF NOT EXISTS accounts_by_domain ON accounts (substr(address, instr(address, '@') + 1));
  `,
];
