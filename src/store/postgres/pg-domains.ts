// DomainRepository on PostgreSQL: local domains with their catch-all, and aliases as (address, target)
// rows, so one alias can deliver to several addresses (RFC 5321 §3.6.1 local aliases).
import { MailError } from "../../kit/mail-error.js";
import type { AliasRecord, DomainRecord, DomainRepository } from "../mail-store.js";
import {
  type AliasTargetRow,
  type DomainRow,
  domainOf,
  groupAliasTargets,
  toDomainRecord,
} from "../record-rows.js";
import type { PgDatabase, Sql } from "./pg-database.js";

export class PgDomains implements DomainRepository {
  constructor(readonly sql: PgDatabase) {}

  async addDomain(name: string): Promise<DomainRecord> {
    const domain = name.toLowerCase();
    const row = await this.sql.one<DomainRow>(
      "INSERT INTO domains (name, catch_all, created_at) VALUES ($1, NULL, $2) ON CONFLICT DO NOTHING RETURNING *",
      [domain, Date.now()],
    );
    if (!row) throw new MailError("alreadyExists", `Domain ${domain} already exists`);
    return toDomainRecord(row);
  }

  async getDomain(name: string): Promise<DomainRecord | undefined> {
    const row = await domainRow(this.sql, name.toLowerCase());
    return row && toDomainRecord(row);
  }

  async listDomains(): Promise<DomainRecord[]> {
    return (await this.sql.rows<DomainRow>("SELECT * FROM domains ORDER BY name")).map(toDomainRecord);
  }

  async deleteDomain(name: string): Promise<void> {
    const domain = name.toLowerCase();
    await this.sql.write(async (tx) => {
      // Locks the domain row: a concurrent alias insert for it waits (it reads the row FOR SHARE).
      const row = await tx.one("SELECT 1 FROM domains WHERE name = $1 FOR UPDATE", [domain]);
      if (!row) throw noDomain(domain);
      const accounts = await accountCount(tx, domain);
      if (accounts > 0) {
        throw new MailError("cannot", `Domain ${domain} still has ${accounts} account(s); delete them first`);
      }
      await tx.run("DELETE FROM alias_targets WHERE domain = $1", [domain]);
      await tx.run("DELETE FROM domains WHERE name = $1", [domain]);
    });
  }

  async isLocalDomain(name: string): Promise<boolean> {
    const domain = name.toLowerCase();
    return (await domainRow(this.sql, domain)) !== undefined || (await accountCount(this.sql, domain)) > 0;
  }

  async setCatchAll(name: string, target: string | null): Promise<void> {
    const domain = name.toLowerCase();
    const changed = await this.sql.run("UPDATE domains SET catch_all = $1 WHERE name = $2", [
      target === null ? null : target.toLowerCase(),
      domain,
    ]);
    if (changed === 0) throw noDomain(domain);
  }

  async addAliasTarget(address: string, target: string): Promise<AliasRecord> {
    const alias = address.toLowerCase();
    const destination = target.toLowerCase();
    const domain = domainOf(alias);
    return this.sql.write(async (tx) => {
      const known = await tx.one("SELECT 1 FROM domains WHERE name = $1 FOR SHARE", [domain]);
      if (!known && (await accountCount(tx, domain)) === 0) throw noDomain(domain);
      if (await tx.one("SELECT 1 FROM accounts WHERE address = $1", [alias])) {
        throw new MailError("alreadyExists", `${alias} is an account; an alias cannot have its address`);
      }
      const inserted = await tx.run(
        "INSERT INTO alias_targets (address, domain, target) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        [alias, domain, destination],
      );
      if (inserted === 0) {
        throw new MailError("alreadyExists", `Alias ${alias} already delivers to ${destination}`);
      }
      return (await aliasOf(tx, alias)) as AliasRecord;
    });
  }

  async removeAlias(address: string, target?: string): Promise<void> {
    const alias = address.toLowerCase();
    const removed =
      target === undefined
        ? await this.sql.run("DELETE FROM alias_targets WHERE address = $1", [alias])
        : await this.sql.run("DELETE FROM alias_targets WHERE address = $1 AND target = $2", [
            alias,
            target.toLowerCase(),
          ]);
    if (removed === 0) {
      const what = target === undefined ? alias : `${alias} → ${target.toLowerCase()}`;
      throw new MailError("nonexistent", `No alias ${what}`);
    }
  }

  async findAlias(address: string): Promise<AliasRecord | undefined> {
    return aliasOf(this.sql, address.toLowerCase());
  }

  async listAliases(domain?: string): Promise<AliasRecord[]> {
    const rows =
      domain === undefined
        ? await this.sql.rows<AliasTargetRow>(
            "SELECT address, target FROM alias_targets ORDER BY address, target",
          )
        : await this.sql.rows<AliasTargetRow>(
            "SELECT address, target FROM alias_targets WHERE domain = $1 ORDER BY address, target",
            [domain.toLowerCase()],
          );
    return groupAliasTargets(rows);
  }
}

async function aliasOf(sql: Sql, alias: string): Promise<AliasRecord | undefined> {
  const targets = (
    await sql.rows<{ target: string }>(
      "SELECT target FROM alias_targets WHERE address = $1 ORDER BY target",
      [alias],
    )
  ).map((row) => row.target);
  return targets.length === 0 ? undefined : { address: alias, targets };
}

function domainRow(sql: Sql, domain: string): Promise<DomainRow | undefined> {
  return sql.one<DomainRow>("SELECT * FROM domains WHERE name = $1", [domain]);
}

async function accountCount(sql: Sql, domain: string): Promise<number> {
  // Addresses are stored lower-case; accounts_by_domain (pg-schema.ts) indexes this very expression.
  const row = await sql.one<{ n: number }>(
    "SELECT count(*) AS n FROM accounts WHERE substr(address, strpos(address, '@') + 1) = $1",
    [domain],
  );
  return row?.n ?? 0;
}

function noDomain(domain: string): MailError {
  return new MailError("nonexistent", `${domain} is not a local domain`);
}
