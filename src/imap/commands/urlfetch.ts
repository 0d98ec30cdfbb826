// URLFETCH (RFC 4467 §6.2): the data of each URLAUTH URL the logged-in user may fetch, streamed from the
// store; a URL that does not authorize this user, has expired or names nothing gives NIL (§6.2: the
// command still succeeds). Data is fetched one URL at a time, so a long list never sits in memory.
import { accountOf, type CommandContext, type CommandOutcome, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function urlFetch(ctx: CommandContext, command: CommandOf<"urlfetch">): Promise<CommandOutcome> {
  const fetcher = { kind: "user", account: accountOf(ctx) } as const;
  const items = [];
  for (const url of command.urls) {
    const content = await ctx.services.urlAuth.fetch(url, fetcher);
    items.push({ url, content: content && { kind: "stream" as const, ...content } });
  }
  await ctx.send({ kind: "urlfetch", items });
  return ok("URLFETCH completed");
}
