// `postfach stats`: messages, bytes, folders and quota use per account and in total (admin/stats.ts).
import { collectStats } from "../../admin/stats.js";
import type { CliCommand } from "../command.js";
import { formatBytes } from "../sizes.js";
import { withServices } from "../with-services.js";

export const statsCommand: CliCommand = {
  path: ["stats"],
  usage: "postfach stats [--json]",
  summary: "Messages, bytes, folders and quota use per account and in total",
  options: { json: { type: "boolean" } },
  optionHelp: ["--json   print JSON"],
  run: (args) =>
    withServices(args, async (services) => {
      const stats = await collectStats(services);
      if (args.values.json) {
        console.log(JSON.stringify(stats, null, 2));
        return 0;
      }
      for (const a of stats.accounts) {
        const quota =
          a.quotaBytes === null
            ? ""
            : ` of ${formatBytes(a.quotaBytes)} (${Math.round((a.bytes / a.quotaBytes) * 100)}%)`;
        console.log(
          `${a.address}\t${a.messages} messages (${a.unseen} unseen) in ${a.folders} folders\t${formatBytes(a.bytes)}${quota}`,
        );
      }
      console.log(
        `${stats.accounts.length} accounts, ${stats.totalMessages} messages, ${formatBytes(stats.totalBytes)}`,
      );
      return 0;
    }),
};
