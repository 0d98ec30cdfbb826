// NOTIFY (RFC 5465 §3.1): `NOTIFY NONE` ends notifications; `NOTIFY SET` replaces what is watched,
// refuses events this server does not report with NO [BADEVENT (the supported ones)], too many mailbox
// names with NO [NOTIFICATIONOVERFLOW], sends STATUS of every watched mailbox first when asked
// (`SET STATUS`), and implies a NOOP: the selected mailbox's pending changes follow at once.
import { MAX_NOTIFY_MAILBOX_NAMES, NotifyWatch, SUPPORTED_NOTIFY_EVENTS } from "../notify/notify-watch.js";
import { accountOf, type CommandContext, type CommandOutcome, no, ok } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function notify(ctx: CommandContext, command: CommandOf<"notify">): Promise<CommandOutcome> {
  const set = command.set;
  if (set === null) {
    ctx.session.setNotify(null);
    return ok("NOTIFY completed");
  }
  const unsupported = NotifyWatch.unsupportedEvents(set);
  if (unsupported.length > 0) {
    return no(`Unsupported NOTIFY events: ${unsupported.join(" ")}`, {
      kind: "BADEVENT",
      events: [...SUPPORTED_NOTIFY_EVENTS],
    });
  }
  if (NotifyWatch.mailboxNameCount(set) > MAX_NOTIFY_MAILBOX_NAMES) {
    return no(`At most ${MAX_NOTIFY_MAILBOX_NAMES} mailbox names`, { kind: "NOTIFICATIONOVERFLOW" });
  }
  const watch = await NotifyWatch.start(ctx.services.store, ctx.services.access, accountOf(ctx), set);
  const state = ctx.session.state;
  const selected = state.kind === "selected" ? state.selected : null;
  if (set.isStatus) {
    const isCondstore = ctx.session.enabled.has("CONDSTORE");
    const statuses = await watch.initialStatus(selected?.view.mailboxId ?? null, isCondstore);
    for (const response of statuses) await ctx.send(response);
  }
  ctx.session.setNotify(watch);
  // The implicit NOOP: the session announces the selected mailbox's changes before the tagged OK.
  selected?.markDirty();
  return ok("NOTIFY completed");
}
