// The PostgreSQL store's schema as forward-only migrations (pg-migrate.ts applies them; the table
// schema_migrations records each one). Same model as the embedded store (ARCHITECTURE.md "Data model"):
// every row carries the account modseq of its last change and removals leave tombstones. Names that are
// sorted or compared use COLLATE "C" so they order by bytes, as SQLite does, whatever the database locale.
import pg from "pg";
import type { Sql } from "./pg-database.js";

export interface Migration {
  /** One line for `postfach migrate` and the log. */
  readonly description: string;
  apply(sql: Sql): Promise<void>;
}

const CORE_TABLES = `
  CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    address text COLLATE "C" NOT NULL UNIQUE,
    password_hash text NOT NULL,
    quota_bytes bigint,
    quota_messages bigint,
    used_bytes bigint NOT NULL DEFAULT 0,
    message_count bigint NOT NULL DEFAULT 0,
    highest_modseq bigint NOT NULL DEFAULT 0,
    last_uid_validity bigint NOT NULL DEFAULT 0,
    created_at bigint NOT NULL
  );

  -- Deferrable (checked at the end of each statement), so one UPDATE can rename a mailbox and its
  -- children even when a new name equals an old one mid-statement.
  CREATE TABLE mailboxes (
    id text COLLATE "C" PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name text COLLATE "C" NOT NULL,
    uid_validity bigint NOT NULL,
    uid_next bigint NOT NULL DEFAULT 1,
    highest_modseq bigint NOT NULL,
    modseq bigint NOT NULL,
    special_use text,
    message_count bigint NOT NULL DEFAULT 0,
    unseen_count bigint NOT NULL DEFAULT 0,
    deleted_count bigint NOT NULL DEFAULT 0,
    total_bytes bigint NOT NULL DEFAULT 0,
    recent_floor bigint NOT NULL DEFAULT 1,
    CONSTRAINT mailboxes_name_unique UNIQUE (account_id, name) DEFERRABLE INITIALLY IMMEDIATE
  );

  CREATE TABLE mailbox_tombstones (
    account_id bigint NOT NULL,
    mailbox_id text COLLATE "C" NOT NULL,
    modseq bigint NOT NULL
  );
  CREATE INDEX mailbox_tombstones_by_modseq ON mailbox_tombstones (account_id, modseq);

  CREATE TABLE subscriptions (
    account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name text COLLATE "C" NOT NULL,
    PRIMARY KEY (account_id, name)
  );

  -- The hot columns (envelope, body structure) stay apart from the bulky index JSON and search text.
  CREATE TABLE emails (
    id text COLLATE "C" PRIMARY KEY,
    account_id bigint NOT NULL,
    blob_hash text COLLATE "C" NOT NULL,
    size bigint NOT NULL,
    crlf_size bigint,
    thread_id text NOT NULL,
    message_id text,
    sent_at bigint,
    envelope text NOT NULL,
    body_structure text NOT NULL,
    body text NOT NULL,
    preview text NOT NULL,
    entry_count bigint NOT NULL DEFAULT 0,
    destroyed_at bigint
  );
  CREATE INDEX emails_destroyed ON emails (destroyed_at) WHERE destroyed_at IS NOT NULL;
  CREATE INDEX emails_by_message_id ON emails (account_id, message_id);
  CREATE INDEX emails_by_blob ON emails (blob_hash);
  CREATE INDEX emails_by_account ON emails (account_id);

  CREATE TABLE email_index (
    email_id text COLLATE "C" PRIMARY KEY,
    version integer NOT NULL,
    json text NOT NULL
  );

  -- Folded text (mime/search-fold.ts); the trigram index comes with migration 2.
  CREATE TABLE email_search (
    email_id text COLLATE "C" PRIMARY KEY,
    subject text NOT NULL,
    from_text text NOT NULL,
    to_text text NOT NULL,
    cc_text text NOT NULL,
    bcc_text text NOT NULL,
    body_text text NOT NULL
  );

  CREATE TABLE email_tombstones (
    account_id bigint NOT NULL,
    email_id text COLLATE "C" NOT NULL,
    modseq bigint NOT NULL
  );
  CREATE INDEX email_tombstones_by_modseq ON email_tombstones (account_id, modseq);

  CREATE TABLE entries (
    mailbox_id text COLLATE "C" NOT NULL,
    uid bigint NOT NULL,
    account_id bigint NOT NULL,
    modseq bigint NOT NULL,
    flags integer NOT NULL,
    keywords text NOT NULL,
    email_id text COLLATE "C" NOT NULL,
    thread_id text NOT NULL,
    size bigint NOT NULL,
    internal_date bigint NOT NULL,
    save_date bigint NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
  );
  CREATE INDEX entries_by_mailbox_modseq ON entries (mailbox_id, modseq);
  CREATE INDEX entries_by_account_modseq ON entries (account_id, modseq);
  CREATE INDEX entries_by_email ON entries (email_id);

  CREATE TABLE entry_tombstones (
    mailbox_id text COLLATE "C" NOT NULL,
    uid bigint NOT NULL,
    account_id bigint NOT NULL,
    email_id text COLLATE "C" NOT NULL,
    modseq bigint NOT NULL,
    PRIMARY KEY (mailbox_id, uid)
  );
  CREATE INDEX entry_tombstones_by_mailbox_modseq ON entry_tombstones (mailbox_id, modseq);
  CREATE INDEX entry_tombstones_by_account_modseq ON entry_tombstones (account_id, modseq);

  CREATE TABLE domains (
    name text COLLATE "C" PRIMARY KEY,
    catch_all text,
    created_at bigint NOT NULL
  );

  CREATE TABLE alias_targets (
    address text COLLATE "C" NOT NULL,
    domain text COLLATE "C" NOT NULL,
    target text COLLATE "C" NOT NULL,
    PRIMARY KEY (address, target)
  );
  CREATE INDEX alias_targets_by_domain ON alias_targets (domain, address);

  CREATE TABLE account_scram (
    account_id bigint PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    password_hash text NOT NULL,
    scram_sha256 text NOT NULL
  );

  CREATE TABLE app_passwords (
    id text COLLATE "C" PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    label text NOT NULL,
    password_hash text NOT NULL,
    created_at bigint NOT NULL,
    last_used_at bigint,
    UNIQUE (account_id, label)
  );

  -- Message bodies (pg-blob-store.ts): one row per blob, its bytes in fixed-size chunks, each chunk
  -- deflated when that saves space. A prefixed blob has no chunks: its prefix and the base it reads on.
  -- Chunks are stored EXTERNAL (out of line, not compressed again by TOAST).
  CREATE TABLE blobs (
    hash text COLLATE "C" PRIMARY KEY,
    size bigint NOT NULL,
    chunk_bytes integer NOT NULL,
    base_hash text COLLATE "C" REFERENCES blobs(hash),
    prefix bytea,
    created_at bigint NOT NULL
  );
  CREATE INDEX blobs_by_base ON blobs (base_hash) WHERE base_hash IS NOT NULL;

  CREATE TABLE blob_chunks (
    hash text COLLATE "C" NOT NULL,
    seq integer NOT NULL,
    deflated boolean NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (hash, seq)
  );
  ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
`;

/**
 * The schema-qualified name of pg_trgm's GIN operator class, installing the extension first if needed.
 * It is installed once per database (in "public" when that exists) and named with its schema, so
 * stores in other schemas of the database (tests, several installations) share it.
 */
async function trigramOpclass(sql: Sql): Promise<string> {
  const find = () =>
    sql.one<{ schema: string }>(
      `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
       WHERE e.extname = 'pg_trgm'`,
    );
  let installed = await find();
  if (!installed) {
    const hasPublic = await sql.one("SELECT 1 FROM pg_namespace WHERE nspname = 'public'");
    try {
      await sql.run(`CREATE EXTENSION IF NOT EXISTS pg_trgm${hasPublic ? " SCHEMA public" : ""}`);
    } catch (error) {
      throw new Error(
        "the PostgreSQL extension pg_trgm is needed for search (Debian: postgresql-contrib); " +
          "install it or run CREATE EXTENSION pg_trgm as a database owner",
        { cause: error },
      );
    }
    installed = await find();
  }
  return `${pg.escapeIdentifier(installed?.schema ?? "public")}.gin_trgm_ops`;
}

/**
 * A trigram GIN index over the folded search columns, so `LIKE '%needle%'` on them narrows candidates
 * from the index; matchEmails (pg-search.ts) verifies every candidate with strpos().
 */
async function createSearchTextIndex(sql: Sql): Promise<void> {
  const opclass = await trigramOpclass(sql);
  const columns = ["subject", "from_text", "to_text", "cc_text", "bcc_text", "body_text"];
  await sql.run(
    `CREATE INDEX email_search_trgm ON email_search USING gin (${columns
      .map((column) => `${column} ${opclass}`)
      .join(", ")})`,
  );
}

/**
 * Every top-level header field (lower-case name, folded decoded value) for IMAP `HEADER name value`
 * (RFC 9051 §6.4.4): by (email_id, name) for presence, by a trigram index over the values for
 * substrings. Rows go with their email.
 */
async function createHeaderIndex(sql: Sql): Promise<void> {
  const opclass = await trigramOpclass(sql);
  await sql.run(`
    CREATE TABLE email_headers (
      email_id text COLLATE "C" NOT NULL REFERENCES emails(id) ON DELETE CASCADE,
      name text COLLATE "C" NOT NULL,
      value text NOT NULL
    );
    CREATE INDEX email_headers_by_email ON email_headers (email_id, name);
    CREATE INDEX email_headers_trgm ON email_headers USING gin (value ${opclass});
  `);
}

/**
 * The trigram GIN indexes' pending lists kept small. With GIN's default fast update, inserted rows
 * wait in an unsorted pending list of up to 4 MB (gin_pending_list_limit) that every index scan reads
 * whole, and the planner prices those pages in: after a few thousand appends it estimated the
 * email_search_trgm scan (1,620) above a sequential scan of email_search (668), whose price leaves out
 * de-TOASTing the body text, and TEXT search read 34 MB per query (200–350 ms on 5,000 messages, 1 ms
 * from the index). 256 kB keeps the index the cheaper plan and most of fast update's batching (a bulk
 * append of 5,000 messages took 12 % longer; without fast update, 2.7 times as long). The lists are
 * flushed now so existing stores start from an empty one.
 */
async function limitTrigramPendingLists(sql: Sql): Promise<void> {
  for (const index of ["email_search_trgm", "email_headers_trgm"]) {
    await sql.run(`ALTER INDEX ${index} SET (gin_pending_list_limit = ${TRIGRAM_PENDING_LIST_KB})`);
    await sql.run("SELECT gin_clean_pending_list($1::regclass)", [index]);
  }
}
const TRIGRAM_PENDING_LIST_KB = 256;

/** Forward-only: append new migrations, never edit an applied one. Version n is MIGRATIONS[n - 1]. */
export const MIGRATIONS: readonly Migration[] = [
  {
    description: "accounts, mailboxes, entries, emails, tombstones, domains, credentials, blobs",
    apply: async (sql) => {
      await sql.run(CORE_TABLES);
    },
  },
  {
    description: "pg_trgm index over the folded search text",
    apply: createSearchTextIndex,
  },
  {
    description: "header fields for HEADER search, with a pg_trgm index over their values",
    apply: createHeaderIndex,
  },
  {
    // Older emails get no row: pg-sort-keys.ts computes their keys from email_index when asked.
    description: "SORT/THREAD keys per email (RFC 5256, RFC 5957)",
    apply: async (sql) => {
      await sql.run(`
        CREATE TABLE email_sort_keys (
          email_id text COLLATE "C" PRIMARY KEY REFERENCES emails(id) ON DELETE CASCADE,
          sent_at bigint,
          base_subject text NOT NULL,
          is_reply boolean NOT NULL,
          from_mailbox text NOT NULL,
          to_mailbox text NOT NULL,
          cc_mailbox text NOT NULL,
          display_from text NOT NULL,
          display_to text NOT NULL,
          message_id text,
          reference_ids jsonb NOT NULL
        )
      `);
    },
  },
  {
    description: "trigram indexes' GIN pending lists limited to 256 kB, so the planner keeps using them",
    apply: limitTrigramPendingLists,
  },
  {
    // Keyed by (account, mailbox or NULL for the server, owner of a private entry or NULL for a shared
    // one, name); the unique index spells the NULLs out so they compare equal. Rows go with their
    // mailbox and accounts; a rename keeps the mailbox id.
    description: "mailbox and server annotations (RFC 5464 METADATA)",
    apply: async (sql) => {
      await sql.run(`
        CREATE TABLE metadata (
          account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
          mailbox_id text COLLATE "C" REFERENCES mailboxes(id) ON DELETE CASCADE,
          owner_id bigint REFERENCES accounts(id) ON DELETE CASCADE,
          name text COLLATE "C" NOT NULL,
          value bytea NOT NULL
        );
        CREATE UNIQUE INDEX metadata_key
          ON metadata (account_id, coalesce(mailbox_id, ''), coalesce(owner_id, 0), name);
        CREATE INDEX metadata_by_mailbox ON metadata (mailbox_id);
        CREATE INDEX metadata_by_owner ON metadata (owner_id);
      `);
    },
  },
  {
    // Rows go with their mailbox (DELETE removes the ACL, RENAME keeps it); pg-acl.ts.
    description: "access control lists of mailboxes (RFC 4314)",
    apply: async (sql) => {
      await sql.run(`
        CREATE TABLE mailbox_acl (
          mailbox_id text COLLATE "C" NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
          account_id bigint NOT NULL,
          identifier text COLLATE "C" NOT NULL,
          rights text NOT NULL,
          PRIMARY KEY (mailbox_id, identifier)
        );
        CREATE INDEX mailbox_acl_by_identifier ON mailbox_acl (identifier);
      `);
    },
  },
  {
    // A blob uploaded over JMAP, kept from garbage collection until the row expires; pg-uploads.ts.
    description: "JMAP uploads (RFC 8620 §6.1)",
    apply: async (sql) => {
      await sql.run(`
        CREATE TABLE jmap_uploads (
          id text COLLATE "C" PRIMARY KEY,
          account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
          blob_hash text COLLATE "C" NOT NULL,
          size bigint NOT NULL,
          type text NOT NULL,
          created_at bigint NOT NULL
        );
        CREATE INDEX jmap_uploads_by_created ON jmap_uploads (created_at);
        CREATE INDEX jmap_uploads_by_blob ON jmap_uploads (blob_hash);
      `);
    },
  },
  {
    // The modseq at which each email and mailbox appeared in its account (JMAP /changes `created`), kept on
    // the tombstones too with the email's thread; rows stored earlier read 0 (created before any state).
    description: "creation modseqs of emails and mailboxes (RFC 8620 §5.2)",
    apply: async (sql) => {
      await sql.run(`
        ALTER TABLE emails ADD COLUMN created_modseq bigint NOT NULL DEFAULT 0;
        ALTER TABLE mailboxes ADD COLUMN created_modseq bigint NOT NULL DEFAULT 0;
        ALTER TABLE email_tombstones ADD COLUMN created_modseq bigint NOT NULL DEFAULT 0;
        ALTER TABLE email_tombstones ADD COLUMN thread_id text;
        ALTER TABLE mailbox_tombstones ADD COLUMN created_modseq bigint NOT NULL DEFAULT 0;
      `);
    },
  },
  {
    // A POP3 UIDL brought by an import (dovecot-uidlist's P field), returned by listImportedUidls so POP3
    // clients do not download everything again; the partial index keeps the per-login lookup free.
    description: "imported POP3 UIDLs",
    apply: async (sql) => {
      await sql.run(`
        ALTER TABLE entries ADD COLUMN pop3_uidl text;
        CREATE INDEX entries_imported_uidl ON entries (mailbox_id) WHERE pop3_uidl IS NOT NULL;
      `);
    },
  },
  {
    // EmailSubmissions and Identity settings as JSON, each type with its own modseq counter; destroyed
    // ones stay as tombstones (data NULL); pg-jmap-objects.ts.
    description: "JMAP objects without an IMAP counterpart (RFC 8621 EmailSubmission, Identity)",
    apply: async (sql) => {
      await sql.run(`
        CREATE TABLE jmap_objects (
          account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
          type text COLLATE "C" NOT NULL,
          id text COLLATE "C" NOT NULL,
          data text,
          created_modseq bigint NOT NULL,
          modseq bigint NOT NULL,
          PRIMARY KEY (account_id, type, id)
        );
        CREATE INDEX jmap_objects_by_modseq ON jmap_objects (account_id, type, modseq);
      `);
    },
  },
  {
    // One row per remote recipient of a submitted message, its bytes a blob kept while queued; by due
    // time for the senders' poll, by blob for isBlobReferenced; pg-outbound-queue.ts.
    description: "the outbound queue (RFC 5321 §4.5.4)",
    apply: async (sql) => {
      await sql.run(`
        CREATE TABLE outbound_queue (
          id text COLLATE "C" PRIMARY KEY,
          message_id text COLLATE "C" NOT NULL,
          account_id bigint REFERENCES accounts(id) ON DELETE SET NULL,
          submission_id text,
          return_path text NOT NULL,
          recipient text NOT NULL,
          blob_hash text COLLATE "C" NOT NULL,
          size bigint NOT NULL,
          created_at bigint NOT NULL,
          next_attempt_at bigint NOT NULL,
          attempts integer NOT NULL DEFAULT 0,
          last_error text
        );
        CREATE INDEX outbound_queue_by_due ON outbound_queue (next_attempt_at);
        CREATE INDEX outbound_queue_by_message ON outbound_queue (message_id);
        CREATE INDEX outbound_queue_by_blob ON outbound_queue (blob_hash);
      `);
    },
  },
  {
    // One row per account and script name, at most one active (the partial unique index enforces it),
    // and the automatic replies sent (RFC 5230 §4.2) per account and key; pg-sieve.ts.
    description: "Sieve scripts (RFC 5804) and automatic-reply de-duplication (RFC 5230)",
    apply: async (sql) => {
      await sql.run(`
        CREATE TABLE sieve_scripts (
          account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
          name text COLLATE "C" NOT NULL,
          content text NOT NULL,
          size bigint NOT NULL,
          is_active boolean NOT NULL DEFAULT false,
          updated_at bigint NOT NULL,
          PRIMARY KEY (account_id, name)
        );
        CREATE UNIQUE INDEX sieve_scripts_one_active ON sieve_scripts (account_id) WHERE is_active;
        CREATE TABLE sieve_auto_replies (
          account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
          key text COLLATE "C" NOT NULL,
          sent_at bigint NOT NULL,
          PRIMARY KEY (account_id, key)
        );
      `);
    },
  },
  {
    // MessageIndex.hasAttachment as a column, so the search planner answers JMAP's hasAttachment filter
    // without reading each index JSON; emails stored earlier take it from their index JSON once, here (as
    // text: jsonb refuses the \u0000 a header may hold, and a string value cannot hold an unescaped quote).
    description: "emails.has_attachment (RFC 8621 §4.4.1 hasAttachment)",
    apply: async (sql) => {
      await sql.run(`
        ALTER TABLE emails ADD COLUMN has_attachment boolean NOT NULL DEFAULT false;
        UPDATE emails m SET has_attachment = true FROM email_index i
          WHERE i.email_id = m.id AND strpos(i.json, '"hasAttachment":true') > 0;
      `);
    },
  },
  {
    // DKIM keys, one per domain (pg-dkim-keys.ts), and IMAP URLAUTH mailbox access keys (RFC 4467 §3,
    // pg-urlauth-keys.ts), which go with their mailbox.
    description: "signing secrets: DKIM keys and URLAUTH mailbox access keys",
    apply: async (sql) => {
      await sql.run(`
        CREATE TABLE dkim_keys (
          domain text COLLATE "C" PRIMARY KEY,
          selector text NOT NULL,
          algorithm text NOT NULL,
          private_key text NOT NULL,
          public_key text NOT NULL,
          created_at bigint NOT NULL
        );
        CREATE TABLE urlauth_keys (
          account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
          mailbox_id text COLLATE "C" NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
          key bytea NOT NULL,
          PRIMARY KEY (account_id, mailbox_id)
        );
        CREATE INDEX urlauth_keys_by_mailbox ON urlauth_keys (mailbox_id);
      `);
    },
  },
  {
    // Leases on background work one node at a time should do (the blob collector); pg-leases.ts.
    description: "leases on background work",
    apply: async (sql) => {
      await sql.run(`
        CREATE TABLE leases (
          name text COLLATE "C" PRIMARY KEY,
          holder text NOT NULL,
          until_ms bigint NOT NULL
        );
      `);
    },
  },
  {
    // A domain without a row of its own is local when an account has it, asked at every RCPT; the
    // index holds the exact expression pg-domains.ts matches on, so that is no longer a scan of accounts.
    description: "accounts by the domain of their address",
    apply: async (sql) => {
      await sql.run(
        "CREATE INDEX accounts_by_domain ON accounts ((substr(address, strpos(address, '@') + 1)))",
      );
    },
  },
];
