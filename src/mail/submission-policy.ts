// Who may send what through submission (RFC 6409 §6.1, §8): the envelope sender and every From: address
// must be one of the authenticated account's own addresses (own-addresses.ts). Pure checks; each
// protocol words the refusal itself (SMTP 550 5.7.1, JMAP forbiddenFrom).
import { parseAddressList } from "../mime/address.js";
import { parseHeaderBlock, readFieldValue } from "../mime/header.js";

/** The addresses of the message's From: fields, lower-case, as "local@domain". */
export function fromAddresses(message: Buffer): string[] {
  const header = parseHeaderBlock(message, 0, message.length);
  return header.fields
    .filter((field) => field.name === "from")
    .flatMap((field) => parseAddressList(readFieldValue(message, field)))
    .flatMap((address) => (address.kind === "group" ? address.members : [address]))
    .map((mailbox) => `${mailbox.mailbox}@${mailbox.host}`.toLowerCase());
}

/** The From: addresses that are not the account's; a message without From: yields ["(none)"]. */
export function foreignFromAddresses(message: Buffer, own: ReadonlySet<string>): string[] {
  const from = fromAddresses(message);
  if (from.length === 0) return ["(none)"];
  return from.filter((address) => !own.has(address));
}

/** Whether `address` (an envelope sender) is one of the account's own, compared case-insensitively. */
export function isOwnAddress(address: string, own: ReadonlySet<string>): boolean {
  return own.has(address.toLowerCase());
}
