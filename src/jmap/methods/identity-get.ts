// Identity/get (RFC 8621 §6.1): the account's identities (identity.ts).
import type { Args } from "../args.js";
import { IDENTITY_PROPERTIES, listIdentities } from "../identity.js";
import type { JmapContext } from "../jmap-context.js";
import { pick, readGetRequest } from "../standard-get.js";

const KNOWN = new Set<string>(IDENTITY_PROPERTIES);

export async function identityGet(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  const request = readGetRequest(ctx, args, KNOWN, IDENTITY_PROPERTIES);
  const { identities, state } = await listIdentities(ctx);
  const byId = new Map(identities.map((identity) => [identity.id, identity]));
  const ids = request.ids ?? [...byId.keys()];
  const list: Record<string, unknown>[] = [];
  const notFound: string[] = [];
  for (const id of ids) {
    const identity = byId.get(id);
    if (identity === undefined) notFound.push(id);
    else list.push(pick({ ...identity }, request.properties));
  }
  return { accountId: request.accountId, state, list, notFound };
}
