// SPF (RFC 7208), DKIM (RFC 6376) and DMARC (RFC 7489) checks of mail arriving from other servers, with
// mailauth, and the result as header fields on top of the message: Authentication-Results (RFC 8601)
// naming this host as the authserv-id, and Received-SPF (RFC 7208 §9.1). Sieve rules and clients read them.
import type { Logger } from "../kit/logger.js";
import { parseHeaderBlock, readFieldValue } from "../mime/header.js";
import { loadMailauth } from "./mailauth-loader.js";

/** A DNS query in node:dns's shapes and error codes (net/dns-resolver.ts's `resolve`). */
export type DnsLookup = (name: string, rrtype: string) => Promise<unknown>;

/** What the SMTP session knows of the message besides its bytes. */
export interface InboundAuthInput {
  /** The message as received (after DATA), without our trace fields. */
  readonly message: Buffer;
  /** MAIL FROM; "" for the null reverse-path (SPF then checks the HELO name, RFC 7208 §2.4). */
  readonly mailFrom: string;
  readonly heloName: string;
  readonly remoteAddress: string;
}

export interface InboundAuthenticatorOptions {
  /** This host: the authserv-id of the header and the name in SPF comments. */
  readonly hostname: string;
  readonly lookup: DnsLookup;
  readonly log: Logger;
}

export class InboundAuthenticator {
  readonly #authservId: string;

  constructor(private readonly options: InboundAuthenticatorOptions) {
    this.#authservId = options.hostname.toLowerCase();
  }

  /**
   * The message with the results prepended and any Authentication-Results that claim to come from this
   * host removed (RFC 8601 §5: a forged one would look trusted). Never throws: when the checks themselves
   * fail, the message is delivered without results (a lost message is worse than an unchecked one).
   */
  async authenticate(input: InboundAuthInput): Promise<Buffer> {
    const message = withoutOwnResults(input.message, this.#authservId);
    let headers: string;
    try {
      const { authenticate } = await loadMailauth();
      const result = await authenticate(input.message, {
        ip: plainAddress(input.remoteAddress),
        helo: input.heloName,
        sender: input.mailFrom,
        mta: this.options.hostname,
        // mailauth types answers as strings only; node's shapes (MX objects) are what it reads.
        resolver: this.options.lookup as (name: string, rrtype: string) => Promise<string[][]>,
        // BIMI fetches logos and certificates over HTTPS; ARC sealing needs a key we do not have.
        disableBimi: true,
      });
      headers = result.headers;
    } catch (error) {
      this.options.log.warn({ err: error }, "SPF/DKIM/DMARC checks failed; delivering without results");
      return message;
    }
    const block = headers.endsWith("\r\n") ? headers : `${headers}\r\n`;
    return Buffer.concat([Buffer.from(block, "utf8"), message]);
  }
}

/** An IPv4-mapped IPv6 peer ("::ffff:192.0.2.1", from a dual-stack socket) is its IPv4 address for SPF. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/** `message` without the Authentication-Results fields whose authserv-id is ours (the bytes otherwise unchanged). */
export function withoutOwnResults(message: Buffer, authservId: string): Buffer {
  const { fields } = parseHeaderBlock(message, 0, message.length);
  const forged = fields.filter(
    (field) =>
      field.name === "authentication-results" &&
      authservIdOf(readFieldValue(message, field)) === authservId.toLowerCase(),
  );
  if (forged.length === 0) return message;
  const pieces: Buffer[] = [];
  let at = 0;
  for (const field of forged) {
    pieces.push(message.subarray(at, field.start));
    at = field.end;
  }
  pieces.push(message.subarray(at));
  return Buffer.concat(pieces);
}

/** RFC 8601 §2.2: the value starts with the authserv-id (maybe after a comment), then an optional version. */
function authservIdOf(value: string): string {
  const withoutComments = value.replace(/\([^()]*\)/g, " ").trim();
  return (/^[^\s;]+/.exec(withoutComments)?.[0] ?? "").toLowerCase();
}
