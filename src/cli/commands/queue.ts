// `postfach queue list|retry|delete`: the outbound queue of submitted mail (admin/queue-admin.ts).
import { QueueAdmin } from "../../admin/queue-admin.js";
import type { CliCommand } from "../command.js";
import { CliUsageError } from "../read-password.js";
import { withServices } from "../with-services.js";

export const queueCommands: CliCommand[] = [
  {
    path: ["queue", "list"],
    usage: "postfach queue list [--json]",
    summary: "List queued outbound messages with their recipients, attempts and last errors",
    options: { json: { type: "boolean" } },
    optionHelp: ["--json   print JSON"],
    run: (args) =>
      withServices(args, async (services) => {
        if (args.positionals.length > 0) throw new CliUsageError("queue list takes no arguments");
        const messages = await new QueueAdmin(services.store).list();
        if (args.values.json) {
          console.log(JSON.stringify(messages, null, 2));
          return 0;
        }
        if (messages.length === 0) console.log("The outbound queue is empty.");
        for (const m of messages) {
          console.log(`${m.id}\t${m.queuedAt}\t${m.size} bytes\tfrom <${m.sender}>`);
          for (const r of m.recipients) {
            console.log(`  ${r.id}\t<${r.recipient}>\tattempts ${r.attempts}\tnext ${r.nextAttemptAt}`);
            if (r.lastError !== null) console.log(`    ${r.lastError}`);
          }
        }
        return 0;
      }),
  },
  {
    path: ["queue", "retry"],
    usage: "postfach queue retry <id>… | --all",
    summary: "Try queued messages (or single recipients) again now",
    options: { all: { type: "boolean" } },
    optionHelp: ["--all    every queued message"],
    run: (args) =>
      withServices(args, async (services) => {
        const all = args.values.all === true;
        if (all === args.positionals.length > 0) throw new CliUsageError("Give queue ids or --all");
        const count = await new QueueAdmin(services.store).retry(args.positionals);
        console.log(`${count} recipient(s) due now; a running server sends them at its next poll`);
        return 0;
      }),
  },
  {
    path: ["queue", "delete"],
    usage: "postfach queue delete <id>…",
    summary: "Remove queued messages (or single recipients) without sending or bouncing them",
    options: {},
    optionHelp: [],
    run: (args) =>
      withServices(args, async (services) => {
        if (args.positionals.length === 0) throw new CliUsageError("Give the queue ids to delete");
        const count = await new QueueAdmin(services.store).delete(args.positionals);
        console.log(`Removed ${count} recipient(s) from the queue`);
        return 0;
      }),
  },
];
