// Identity/get (RFC 8621 §6.1): one identity per address the account may send from — its primary address
// and every alias that delivers to it — read from the account and alias records; none can be deleted.
import { createHash } from "node:crypto";
import type { Args } from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { pick, readGetRequest } from "../standard-get.js";

const PROPERTIES = [
  "id",
  "name",
  "email",
  "replyTo",
  "bcc",
  "textSignature",
  "htmlSignature",
  "mayDelete",
] as const;
const KNOWN = new Set<string>(PROPERTIES);

/** An identity's id: its address in URL-safe base64, so it is stable and names no database row. */
export function identityIdOf(address: string): string {
  return `I${Buffer.from(address, "utf8").toString("base64url")}`;
}

export async function listIdentities(ctx: JmapContext): Promise<Record<string, unknown>[]> {
  const address = ctx.account.address;
  const aliases = (await ctx.services.store.domains.listAliases())
    .filter((alias) => alias.targets.includes(address))
    .map((alias) => alias.address);
  return [address, ...aliases.filter((alias) => alias !== address)].map((email) => ({
    id: identityIdOf(email),
    name: "",
    email,
    replyTo: null,
    bcc: null,
    textSignature: "",
    htmlSignature: "",
    mayDelete: false,
  }));
}

/** The state: a digest of the identities, so it moves exactly when an alias is added or removed. */
export function identityStateOf(identities: readonly Record<string, unknown>[]): string {
  const digest = createHash("sha256").update(JSON.stringify(identities)).digest("base64url");
  return `i${digest.slice(0, 16)}`;
}

export async function identityGet(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  const request = readGetRequest(ctx, args, KNOWN, PROPERTIES);
  const identities = await listIdentities(ctx);
  const byId = new Map(identities.map((identity) => [identity.id as string, identity]));
  const ids = request.ids ?? [...byId.keys()];
  const list: Record<string, unknown>[] = [];
  const notFound: string[] = [];
  for (const id of ids) {
    const identity = byId.get(id);
    if (identity === undefined) notFound.push(id);
    else list.push(pick(identity, request.properties));
  }
  return { accountId: request.accountId, state: identityStateOf(identities), list, notFound };
}
