// Reads a password without it ever touching argv or the shell history: from a no-echo prompt on a
// terminal, or the first line of standard input when it is piped.
import { stderr, stdin } from "node:process";

export async function readPassword(prompt: string, confirm: boolean): Promise<string> {
  if (!stdin.isTTY) return readFirstLine();
  const first = await promptHidden(prompt);
  if (confirm) {
    const second = await promptHidden("Repeat password: ");
    if (first !== second) throw new CliUsageError("The passwords do not match");
  }
  return first;
}

async function readFirstLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) {
    chunks.push(chunk as Buffer);
    if ((chunk as Buffer).includes(0x0a)) break;
  }
  const text = Buffer.concat(chunks).toString("utf8");
  const newline = text.indexOf("\n");
  return (newline === -1 ? text : text.slice(0, newline)).replace(/\r$/, "");
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let value = "";
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      stderr.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (data: Buffer) => {
      for (const char of data.toString("utf8")) {
        if (char === "\r" || char === "\n") return finish();
        if (char === "\u0003") return finish(new CliUsageError("Cancelled"));
        if (char === "\u007f" || char === "\b") value = [...value].slice(0, -1).join("");
        else value += char;
      }
    };
    stdin.on("data", onData);
  });
}

/** A mistake in how the command was called: printed without a stack, exit code 2. */
export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
}
