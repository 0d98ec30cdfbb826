// DomainRepository on SQLite: local domains with their catch-all, and aliases as (address, target)
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
import type { SqliteDatabase } from "./sqlite-database.js";

/** How many accounts have a domain; accounts_by_domain (schema migration 26) indexes this very expression. */
export const ACCOUNTS_IN_DOMAIN_SQL =
  "SELECT count(*) AS n FROM accounts WHERE substr(address, instr(address, '@') + 1) = ?";

export class SqliteDomains implements DomainRepository {
  constructor(readonly sql: SqliteDatabase) {}

  async addDomain(name: string): Promise<DomainRecord> {
    const domain = name.toLowerCase();
    return this.sql.write(() => {
      if (this.#domainRow(domain)) throw new MailError("alreadyExists", `Domain ${domain} already exists`);
      this.sql
        .stmt("INSERT INTO domains (name, catch_all, created_at) VALUES (?, NULL, ?)")
        .run(domain, Date.now());
      return toDomainRecord(this.#domainRow(domain) as DomainRow);
    });
  }

  async getDomain(name: string): Promise<DomainRecord | undefined> {
    const row = this.#domainRow(name.toLowerCase());
    return row && toDomainRecord(row);
  }

  async listDomains(): Promise<DomainRecord[]> {
    return this.sql.stmt<DomainRow>("SELECT * FROM domains ORDER BY name").all().map(toDomainRecord);
  }

  async deleteDomain(name: string): Promise<void> {
    const domain = name.toLowerCase();
    this.sql.write(() => {
      if (!this.#domainRow(domain)) throw noDomain(domain);
      const accounts = this.#accountCount(domain);
      if (accounts > 0) {
        throw new MailError("cannot", `Domain ${domain} still has ${accounts} account(s); delete them first`);
      }
      this.sql.stmt("DELETE FROM alias_targets WHERE domain = ?").run(domain);
      this.sql.stmt("DELETE FROM domains WHERE name = ?").run(domain);
    });
  }

  async isLocalDomain(name: string): Promise<boolean> {
    const domain = name.toLowerCase();
    return this.#domainRow(domain) !== undefined || this.#accountCount(domain) > 0;
  }

  async setCatchAll(name: string, target: string | null): Promise<void> {
    const domain = name.toLowerCase();
    this.sql.write(() => {
      const info = this.sql
        .stmt("UPDATE domains SET catch_all = ? WHERE name = ?")
        .run(target === null ? null : target.toLowerCase(), domain);
      if (info.changes === 0) throw noDomain(domain);
    });
  }

  async addAliasTarget(address: string, target: string): Promise<AliasRecord> {
    const alias = address.toLowerCase();
    const destination = target.toLowerCase();
    const domain = domainOf(alias);
    return this.sql.write(() => {
      if (!this.#domainRow(domain) && this.#accountCount(domain) === 0) throw noDomain(domain);
      if (this.sql.stmt("SELECT 1 FROM accounts WHERE address = ?").get(alias)) {
        throw new MailError("alreadyExists", `${alias} is an account; an alias cannot have its address`);
      }
      const info = this.sql
        .stmt("INSERT OR IGNORE INTO alias_targets (address, domain, target) VALUES (?, ?, ?)")
        .run(alias, domain, destination);
      if (info.changes === 0) {
        throw new MailError("alreadyExists", `Alias ${alias} already delivers to ${destination}`);
      }
      return this.#alias(alias) as AliasRecord;
    });
  }

  async removeAlias(address: string, target?: string): Promise<void> {
    const alias = address.toLowerCase();
    this.sql.write(() => {
      const info =
        target === undefined
          ? this.sql.stmt("DELETE FROM alias_targets WHERE address = ?").run(alias)
          : this.sql
              .stmt("DELETE FROM alias_targets WHERE address = ? AND target = ?")
              .run(alias, target.toLowerCase());
      if (info.changes === 0) {
        const what = target === undefined ? alias : `${alias} → ${target.toLowerCase()}`;
        throw new MailError("nonexistent", `No alias ${what}`);
      }
    });
  }

  async findAlias(address: string): Promise<AliasRecord | undefined> {
    return this.#alias(address.toLowerCase());
  }

  async listAliases(domain?: string): Promise<AliasRecord[]> {
    const rows =
      domain === undefined
        ? this.sql
            .stmt<AliasTargetRow>("SELECT address, target FROM alias_targets ORDER BY address, target")
            .all()
        : this.sql
            .stmt<AliasTargetRow>(
              "SELECT address, target FROM alias_targets WHERE domain = ? ORDER BY address, target",
            )
            .all(domain.toLowerCase());
    return groupAliasTargets(rows);
  }

  #alias(alias: string): AliasRecord | undefined {
    const targets = this.sql
      .stmt<{ target: string }>("SELECT target FROM alias_targets WHERE address = ? ORDER BY target")
      .all(alias)
      .map((row) => row.target);
    return targets.length === 0 ? undefined : { address: alias, targets };
  }

  #domainRow(domain: string): DomainRow | undefined {
    return this.sql.stmt<DomainRow>("SELECT * FROM domains WHERE name = ?").get(domain);
  }

  #accountCount(domain: string): number {
    const row = this.sql.stmt<{ n: number }>(ACCOUNTS_IN_DOMAIN_SQL).get(domain);
    return row?.n ?? 0;
  }
}

function noDomain(domain: string): MailError {
  return new MailError("nonexistent", `${domain} is not a local domain`);
}
