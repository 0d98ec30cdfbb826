// `postfach kick <address>`: disconnects the account's sessions on the running server. The CLI is another
// process and the embedded store tells it nothing in return, so it asks the server itself, through the
// admin API ([admin] in the configuration, docs/operations.md "Admin HTTP API").
import { readFile } from "node:fs/promises";
import type { Config } from "../../config/config.js";
import type { CliCommand } from "../command.js";
import { loadCliConfig } from "../load-cli-config.js";
import { CliUsageError } from "../read-password.js";

/** The admin API's base URL and token from the configuration the server runs with. */
async function adminEndpoint(config: Config): Promise<{ base: string; token: string }> {
  const { admin } = config;
  const listen = admin.listen[0];
  if (!admin.enabled || listen === undefined) {
    throw new CliUsageError(
      "kick asks the running server through its admin API: enable [admin] (enabled, listen, token_file) in the configuration the server uses",
    );
  }
  // A wildcard listen address is reached on loopback.
  const base = `http://${listen.replace(/^0\.0\.0\.0:/, "127.0.0.1:").replace(/^\[::\]:/, "[::1]:")}`;
  const token = admin.tokenFile === "" ? admin.token : (await readFile(admin.tokenFile, "utf8")).trim();
  return { base, token };
}

export const kickCommand: CliCommand = {
  path: ["kick"],
  usage: "postfach kick <address> [--json]",
  summary: "Disconnect an account's IMAP, POP3, ManageSieve and JMAP push sessions on the running server",
  options: { json: { type: "boolean" } },
  optionHelp: ["--json   print JSON", "Needs the admin API ([admin] enabled) of the running server."],
  run: async (args) => {
    const address = args.positionals[0];
    if (!address || args.positionals.length > 1) throw new CliUsageError("Expected exactly one address");
    const { base, token } = await adminEndpoint(await loadCliConfig(args));
    let response: Response;
    try {
      response = await fetch(`${base}/api/v1/users/${encodeURIComponent(address)}/kick`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
    } catch (error) {
      console.error(
        `postfach: the server's admin API at ${base} does not answer (is the server running?): ${(error as Error).message}`,
      );
      return 1;
    }
    const body = (await response.json().catch(() => ({}))) as { sessionsEnded?: number; detail?: string };
    if (!response.ok) {
      console.error(`postfach: ${body.detail ?? `admin API answered ${response.status}`}`);
      return 1;
    }
    if (args.values.json) console.log(JSON.stringify(body));
    else console.log(`Ended ${body.sessionsEnded ?? 0} session(s) of ${address.toLowerCase()}`);
    return 0;
  },
};
