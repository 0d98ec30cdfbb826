// <dataDir>/postfach.pid while a server runs on the embedded store, so commands that must not run beside
// it (`postfach migrate --rollback`) can refuse. A file left by a crash names a dead process and is ignored.
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

const PID_FILE = "postfach.pid";

export async function writeServerPidFile(dataDir: string): Promise<void> {
  await writeFile(join(dataDir, PID_FILE), `${process.pid}\n`, { mode: 0o600 });
}

/** Removes the file if it still names this process (a second server on the same folder may own it). */
export async function removeServerPidFile(dataDir: string): Promise<void> {
  const path = join(dataDir, PID_FILE);
  const text = await readFile(path, "utf8").catch(() => "");
  if (Number(text.trim()) === process.pid) await rm(path, { force: true });
}

/** The pid of a live server on this data folder, or undefined. */
export async function runningServerPid(dataDir: string): Promise<number | undefined> {
  const text = await readFile(join(dataDir, PID_FILE), "utf8").catch(() => undefined);
  const pid = Number(text?.trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: the process exists but belongs to another user; it is still running.
    return (error as NodeJS.ErrnoException).code === "EPERM" ? pid : undefined;
  }
}
