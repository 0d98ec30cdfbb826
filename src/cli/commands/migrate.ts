// `postfach migrate`: applies the store's pending schema migrations and prints its schema version, so an
// operator can upgrade the database once before starting (or restarting) the nodes (docs/scale-out.md).
import { migrateStore, rollbackStore } from "../../services.js";
import type { CliCommand } from "../command.js";
import { loadCliConfig } from "../load-cli-config.js";

export const migrateCommand: CliCommand = {
  path: ["migrate"],
  usage: "postfach migrate [--rollback] [--config FILE]",
  summary: "Apply pending store schema migrations (or --rollback the last) and print the schema version",
  options: { rollback: { type: "boolean" } },
  optionHelp: [
    "--rollback   put back the snapshot the last upgrade took before migrating (server stopped;",
    "             embedded store only), then run the previous release",
  ],
  run: async (args) => {
    if (args.values.rollback) {
      const report = await rollbackStore(await loadCliConfig(args));
      console.log(
        `sqlite store: rolled back to schema version ${report.version} (from ${report.replacedVersion})`,
      );
      console.log(`the replaced database is kept as ${report.replacedPath}`);
      return 0;
    }
    const result = await migrateStore(await loadCliConfig(args));
    const applied =
      result.applied === null
        ? ""
        : ` (${result.applied} migration${result.applied === 1 ? "" : "s"} applied)`;
    console.log(`${result.backend} store: schema version ${result.version}${applied}`);
    return 0;
  },
};
