// Address parts (RFC 5228 §2.7.4 :all/:localpart/:domain, RFC 5233 subaddress :user/:detail) of header
// addresses and envelope addresses. A missing part never matches: an address without a detail has no
// :detail, an address without a domain has no :domain.

import { MISSING_DOMAIN, MISSING_MAILBOX, type ParsedMailbox, parseAddressList } from "../mime/address.js";

export type AddressPart = "all" | "localpart" | "domain" | "user" | "detail";

interface SplitAddress {
  readonly localPart: string;
  readonly domain: string | null;
}

/** The addresses in one header value (groups flattened); unparseable text yields nothing. */
export function headerAddresses(value: string): SplitAddress[] {
  const out: SplitAddress[] = [];
  const add = (m: ParsedMailbox): void => {
    if (m.mailbox === MISSING_MAILBOX) return;
    out.push({ localPart: m.mailbox, domain: m.host === MISSING_DOMAIN ? null : m.host });
  };
  for (const entry of parseAddressList(value)) {
    if (entry.kind === "mailbox") add(entry);
    else for (const member of entry.members) add(member);
  }
  return out;
}

/** Splits an envelope address (no angle brackets) at its last "@". */
export function splitAddress(address: string): SplitAddress {
  const at = address.lastIndexOf("@");
  return at < 0
    ? { localPart: address, domain: null }
    : { localPart: address.slice(0, at), domain: address.slice(at + 1) };
}

/** The requested part of an address, or null when the address lacks it. */
export function addressPart(address: SplitAddress, part: AddressPart, separator: string): string | null {
  switch (part) {
    case "all":
      return address.domain === null ? address.localPart : `${address.localPart}@${address.domain}`;
    case "localpart":
      return address.localPart;
    case "domain":
      return address.domain;
    case "user": {
      const cut = separator === "" ? -1 : address.localPart.indexOf(separator);
      return cut < 0 ? address.localPart : address.localPart.slice(0, cut);
    }
    case "detail": {
      const cut = separator === "" ? -1 : address.localPart.indexOf(separator);
      return cut < 0 ? null : address.localPart.slice(cut + separator.length);
    }
  }
}
