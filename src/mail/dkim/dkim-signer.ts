// DKIM signing of outbound mail (RFC 6376 §5; RFC 8463 for Ed25519) with the sending domain's key from
// the store: the outbound path calls signOutbound once per message, before the first delivery attempt,
// so every retry sends the same signed bytes.
import type { Logger } from "../../kit/logger.js";
import type { DkimKeyRepository } from "../../store/mail-store.js";
import { loadDkimSign } from "../mailauth-loader.js";

/** Signs outbound messages; a message from a domain without a key passes through unchanged. */
export class DkimSigner {
  constructor(
    private readonly keys: DkimKeyRepository,
    private readonly log: Logger,
  ) {}

  /**
   * `message` with a DKIM-Signature header prepended when `fromDomain` (the From: header's domain, so
   * DMARC alignment holds) has a key. Never throws for a signing problem: the mail is sent unsigned and
   * the problem logged, since a stuck queue hurts more than a missing signature.
   */
  async signOutbound(fromDomain: string, message: Buffer): Promise<Buffer> {
    const domain = fromDomain.toLowerCase().replace(/\.$/, "");
    const key = await this.keys.getDkimKey(domain);
    if (key === undefined) return message;
    try {
      const signature = {
        signingDomain: key.domain,
        selector: key.selector,
        privateKey: key.privateKeyPem,
        algorithm: key.algorithm,
        canonicalization: "relaxed/relaxed",
      };
      // mailauth reads the keys from signatureData (its typings also show them at the top level, where
      // they are ignored and nothing is signed).
      const { dkimSign } = await loadDkimSign();
      const result = await dkimSign(message, { ...signature, signatureData: [signature] });
      const problem = result.errors?.[0];
      if (problem !== undefined || !/^DKIM-Signature:/i.test(result.signatures)) {
        throw problem ?? new Error("no signature produced");
      }
      return Buffer.concat([Buffer.from(result.signatures, "latin1"), message]);
    } catch (error) {
      this.log.error({ err: error, domain, selector: key.selector }, "DKIM signing failed; sending unsigned");
      return message;
    }
  }
}
