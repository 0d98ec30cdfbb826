// `postfach serve`: runs the server in the foreground until SIGTERM/SIGINT.
import { runServer } from "../../main.js";
import type { CliCommand } from "../command.js";
import { loadCliConfig } from "../load-cli-config.js";

export const serveCommand: CliCommand = {
  path: ["serve"],
  usage: "postfach serve [--config FILE]",
  summary: "Run the mail server in the foreground (stops on SIGTERM or Ctrl-C)",
  options: {},
  optionHelp: [],
  run: async (args) => {
    const server = await runServer(await loadCliConfig(args));
    await server.stopped;
    return 0;
  },
};
