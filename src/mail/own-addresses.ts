// The addresses an account may send as (RFC 6409 §6.1 sender checks, JMAP identities): its own address
// first, then every alias that delivers to it.
import type { AccountRecord, MailStore } from "../store/mail-store.js";

export async function ownAddresses(store: MailStore, account: AccountRecord): Promise<string[]> {
  const address = account.address;
  const aliases = (await store.domains.listAliases())
    .filter((alias) => alias.targets.includes(address))
    .map((alias) => alias.address);
  return [address, ...aliases.filter((alias) => alias !== address)];
}
