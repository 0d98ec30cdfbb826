// `postfach doctor`: checks the configuration and the store (docs/reliability.md): every message's
// content present and matching its SHA-256 and size, counts and quota usage equal to a recount, and
// the blobs nothing references (garbage collection removes those). Exit 0 when healthy, 1 on damage.
import { openServices, verifyStore } from "../../services.js";
import type { CliCommand } from "../command.js";
import { loadCliConfig } from "../load-cli-config.js";

export const doctorCommand: CliCommand = {
  path: ["doctor"],
  usage: "postfach doctor [--config FILE] [--json]",
  summary: "Check the configuration and verify every stored message against its hash",
  options: { json: { type: "boolean" } },
  optionHelp: ["--json          print the report as JSON"],
  run: async (args) => {
    // A configuration error is thrown (and printed by the CLI) before the store is opened.
    const config = await loadCliConfig(args);
    const services = await openServices(config);
    try {
      const report = await verifyStore(services.store);
      const isHealthy = report.damaged.length === 0 && report.wrongCounts.length === 0;
      if (args.values.json === true) {
        console.log(
          JSON.stringify({
            config: "ok",
            store: config.store === "sqlite" ? "sqlite" : "postgres",
            ...report,
            isHealthy,
          }),
        );
        return isHealthy ? 0 : 1;
      }
      console.log(`config: ok (data in ${config.dataDir})`);
      console.log(
        `store: ${report.accounts} accounts, ${report.mailboxes} mailboxes, ${report.messages} messages, ` +
          `${report.blobsChecked} message contents checked, ${report.blobsStored} blobs stored`,
      );
      for (const damage of report.damaged) {
        console.log(
          `DAMAGED: ${damage.account} ${damage.mailbox} UID ${damage.uid}: content ${damage.blobHash} ${damage.problem}`,
        );
      }
      for (const where of report.wrongCounts) console.log(`WRONG COUNTS: ${where} differs from a recount`);
      if (report.orphans.length > 0) {
        console.log(
          `note: ${report.orphans.length} unreferenced blobs (left by a crash or a delete; garbage collection removes them)`,
        );
      }
      console.log(isHealthy ? "healthy" : "problems found");
      return isHealthy ? 0 : 1;
    } finally {
      await services.close();
    }
  },
};
