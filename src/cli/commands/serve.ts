// `postfach serve`: runs the server in the foreground until SIGTERM/SIGINT.
import type { CliCommand } from "../command.js";
import { loadCliConfig } from "../load-cli-config.js";

export const serveCommand: CliCommand = {
  path: ["serve"],
  usage: "postfach serve [--config FILE]",
  summary: "Run the mail server in the foreground (stops on SIGTERM or Ctrl-C)",
  options: {},
  optionHelp: [],
  run: async (args) => {
    // Loaded here, not with the command table: every other command (and --help) then skips the protocol
    // servers, about half of a CLI process's start-up.
    const { runServer } = await import("../../main.js");
    const server = await runServer(await loadCliConfig(args));
    await server.stopped;
    return 0;
  },
};
