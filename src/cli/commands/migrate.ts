// `postfach migrate`: applies the store's pending schema migrations and prints its schema version, so an
// operator can upgrade the database once before starting (or restarting) the nodes (docs/scale-out.md).
import { migrateStore } from "../../main.js";
import type { CliCommand } from "../command.js";
import { loadCliConfig } from "../load-cli-config.js";

export const migrateCommand: CliCommand = {
  path: ["migrate"],
  usage: "postfach migrate [--config FILE]",
  summary: "Apply pending store schema migrations and print the schema version",
  options: {},
  optionHelp: [],
  run: async (args) => {
    const result = await migrateStore(await loadCliConfig(args));
    const applied =
      result.applied === null
        ? ""
        : ` (${result.applied} migration${result.applied === 1 ? "" : "s"} applied)`;
    console.log(`${result.backend} store: schema version ${result.version}${applied}`);
    return 0;
  },
};
