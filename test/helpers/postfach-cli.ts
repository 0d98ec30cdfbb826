// Runs the built `postfach` command as an operator would, with extra environment and standard input.
import { execFile } from "node:child_process";

const CLI = new URL("../../src/cli/postfach.js", import.meta.url).pathname;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function postfach(args: readonly string[], env: NodeJS.ProcessEnv, stdin = ""): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin);
  });
}
