// DKIM key administration (`postfach domain dkim generate|show|delete`): makes a domain's signing key,
// stores it for every node, and says which TXT record to publish (RFC 6376 §3.6.1, RFC 8463).
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { MailError } from "../kit/mail-error.js";
import type { DkimAlgorithm, DkimKeyRecord, MailStore } from "../store/mail-store.js";
import { validateDomain } from "./domain-admin.js";

export const DEFAULT_DKIM_SELECTOR = "postfach";
/** RFC 8301 §3.2: at least 1024 bits, 2048 recommended; 2048 is what receivers expect today. */
const RSA_BITS = 2048;

/** The DNS TXT record that publishes a key: its owner name and its value. */
export interface DkimDnsRecord {
  readonly name: string;
  readonly value: string;
  /** The record as a zone-file line, the value cut into quoted strings of at most 255 bytes. */
  readonly zoneLine: string;
}

export interface GenerateDkimKeyOptions {
  readonly selector?: string;
  readonly algorithm?: DkimAlgorithm;
  /** Replace an existing key (rotation); without it a second key for the domain is refused. */
  readonly replace?: boolean;
}

export class DkimAdmin {
  constructor(private readonly store: MailStore) {}

  /** Makes and stores a key for a local domain; rejects with nonexistent for a domain not served here. */
  async generate(domainName: string, options: GenerateDkimKeyOptions = {}): Promise<DkimKeyRecord> {
    const domain = validateDomain(domainName);
    const selector = validateSelector(options.selector ?? DEFAULT_DKIM_SELECTOR);
    if (!(await this.store.domains.isLocalDomain(domain))) {
      throw new MailError(
        "nonexistent",
        `${domain} is not a local domain (add it with: postfach domain add)`,
      );
    }
    const algorithm = options.algorithm ?? "rsa-sha256";
    const key: DkimKeyRecord = {
      domain,
      selector,
      algorithm,
      ...generateKeyPair(algorithm),
      createdAtMs: Date.now(),
    };
    await this.store.dkimKeys.saveDkimKey(key, { replace: options.replace === true });
    return key;
  }

  /** Rejects with nonexistent when the domain has no key. */
  async show(domainName: string): Promise<DkimKeyRecord> {
    const domain = validateDomain(domainName);
    const key = await this.store.dkimKeys.getDkimKey(domain);
    if (key === undefined) throw new MailError("nonexistent", `Domain ${domain} has no DKIM key`);
    return key;
  }

  list(): Promise<DkimKeyRecord[]> {
    return this.store.dkimKeys.listDkimKeys();
  }

  delete(domainName: string): Promise<void> {
    return this.store.dkimKeys.deleteDkimKey(validateDomain(domainName));
  }
}

/** The TXT record receivers look the key up at: `<selector>._domainkey.<domain>`. */
export function dkimDnsRecord(
  key: Pick<DkimKeyRecord, "domain" | "selector" | "algorithm" | "publicKey">,
): DkimDnsRecord {
  const name = `${key.selector}._domainkey.${key.domain}`;
  const keyType = key.algorithm === "ed25519-sha256" ? "ed25519" : "rsa";
  const value = `v=DKIM1; k=${keyType}; p=${key.publicKey}`;
  const strings: string[] = [];
  for (let at = 0; at < value.length; at += 255) strings.push(`"${value.slice(at, at + 255)}"`);
  return { name, value, zoneLine: `${name}. IN TXT ( ${strings.join(" ")} )` };
}

function generateKeyPair(algorithm: DkimAlgorithm): { privateKeyPem: string; publicKey: string } {
  const { privateKey, publicKey } =
    algorithm === "ed25519-sha256"
      ? generateKeyPairSync("ed25519")
      : generateKeyPairSync("rsa", { modulusLength: RSA_BITS });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: publicKeyData(publicKey, algorithm),
  };
}

/** p= of the record: RSA as DER SubjectPublicKeyInfo (what every verifier reads); Ed25519 as the raw 32 bytes (RFC 8463 §4.2). */
function publicKeyData(publicKey: KeyObject, algorithm: DkimAlgorithm): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  return (algorithm === "ed25519-sha256" ? der.subarray(der.length - 32) : der).toString("base64");
}

/** RFC 6376 §3.1: a selector is dot-separated sub-domain labels. */
function validateSelector(selector: string): string {
  const canonical = selector.trim().toLowerCase();
  if (
    !/^(?=.{1,63}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/.test(canonical)
  ) {
    throw new MailError("invalidInput", `Not a valid DKIM selector: ${JSON.stringify(selector)}`);
  }
  return canonical;
}
