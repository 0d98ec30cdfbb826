// Domain and alias administration shared by the CLI and (later) the admin HTTP API: local domains
// (RFC 5321 §2.3.5 names), aliases with several targets, and the per-domain catch-all written "@domain".
import { MailError } from "../kit/mail-error.js";
import { recordAliasChange } from "../mail/address-changes.js";
import type { AliasRecord, DomainRecord, MailStore } from "../store/mail-store.js";
import { validateAddress } from "./user-admin.js";

// RFC 1035 §2.3.1 letters-digits-hyphen labels, at least two of them, each at most 63 octets.
const DOMAIN_PATTERN =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** One alias line as listings show it; a catch-all has address "@domain". */
export interface AliasListing extends AliasRecord {
  readonly isCatchAll: boolean;
}

export class DomainAdmin {
  constructor(private readonly store: MailStore) {}

  addDomain(name: string): Promise<DomainRecord> {
    return this.store.domains.addDomain(validateDomain(name));
  }

  listDomains(): Promise<DomainRecord[]> {
    return this.store.domains.listDomains();
  }

  async deleteDomain(name: string): Promise<void> {
    const domain = validateDomain(name);
    const aliases = await this.store.domains.listAliases(domain);
    await this.store.domains.deleteDomain(domain);
    for (const alias of aliases) await recordAliasChange(this.store, alias.address, alias.targets, false);
  }

  /**
   * Adds targets to an alias; `@domain` sets the domain's catch-all (one target). Targets must be in local
   * domains: Postfach delivers, it does not forward.
   */
  async addAlias(address: string, targets: readonly string[]): Promise<AliasListing> {
    if (targets.length === 0) throw new MailError("invalidInput", "Give at least one target address");
    const checked = [];
    for (const target of targets) {
      const canonical = validateAddress(target);
      const domain = canonical.slice(canonical.lastIndexOf("@") + 1);
      if (!(await this.store.domains.isLocalDomain(domain))) {
        throw new MailError(
          "invalidInput",
          `${canonical} is not in a local domain; Postfach does not forward mail`,
        );
      }
      checked.push(canonical);
    }
    if (address.startsWith("@")) {
      const domain = validateDomain(address.slice(1));
      if (checked.length !== 1) throw new MailError("invalidInput", "A catch-all has exactly one target");
      await this.store.domains.setCatchAll(domain, checked[0] as string);
      return { address: `@${domain}`, targets: checked, isCatchAll: true };
    }
    const alias = validateAddress(address);
    let record: AliasRecord | undefined;
    for (const target of checked) {
      record = await this.store.domains.addAliasTarget(alias, target);
      await recordAliasChange(this.store, alias, [target], true);
    }
    return { ...(record as AliasRecord), isCatchAll: false };
  }

  /** Removes one target, the whole alias, or (for "@domain") the catch-all. */
  async removeAlias(address: string, target?: string): Promise<void> {
    if (address.startsWith("@")) {
      const domain = validateDomain(address.slice(1));
      const record = await this.store.domains.getDomain(domain);
      if (!record?.catchAll) throw new MailError("nonexistent", `${domain} has no catch-all`);
      await this.store.domains.setCatchAll(domain, null);
      return;
    }
    const alias = validateAddress(address);
    const targets =
      target === undefined
        ? ((await this.store.domains.findAlias(alias))?.targets ?? [])
        : [validateAddress(target)];
    await this.store.domains.removeAlias(alias, target === undefined ? undefined : targets[0]);
    await recordAliasChange(this.store, alias, targets, false);
  }

  /** Aliases and catch-alls, of one domain or all, ordered by address. */
  async listAliases(domain?: string): Promise<AliasListing[]> {
    const name = domain === undefined ? undefined : validateDomain(domain);
    const aliases: AliasListing[] = (await this.store.domains.listAliases(name)).map((a) => ({
      ...a,
      isCatchAll: false,
    }));
    for (const d of await this.store.domains.listDomains()) {
      if (d.catchAll !== null && (name === undefined || d.name === name)) {
        aliases.push({ address: `@${d.name}`, targets: [d.catchAll], isCatchAll: true });
      }
    }
    return aliases;
  }

  /**
   * A warning for `user add` when domains are managed but the address's domain is not one of them
   * (mail for it is then accepted only because an account lives there).
   */
  async domainWarning(address: string): Promise<string | undefined> {
    const domain = address.slice(address.lastIndexOf("@") + 1).toLowerCase();
    const domains = await this.store.domains.listDomains();
    if (domains.length === 0 || domains.some((d) => d.name === domain)) return undefined;
    return `${domain} is not among the local domains; add it with: postfach domain add ${domain}`;
  }
}

export function validateDomain(name: string): string {
  const canonical = name.trim().toLowerCase().replace(/\.$/, "");
  if (!DOMAIN_PATTERN.test(canonical))
    throw new MailError("invalidInput", `Not a valid domain name: ${JSON.stringify(name)}`);
  return canonical;
}
