// fsync shared between concurrent writers (group commit for files): a caller is settled by an fsync that
// started after it asked, and callers that ask while one runs all share the next one. So N writers
// waiting on the same file or directory cost about two fsyncs, not N.
import { closeSync, fsync, openSync } from "node:fs";
import { promisify } from "node:util";

export class SharedFsync {
  #running: Promise<void> | null = null;
  #next: Promise<void> | null = null;

  /** `path` is a file or a directory. */
  constructor(private readonly path: string) {}

  /** Resolves once everything written to the path before this call is on stable storage. */
  sync(): Promise<void> {
    if (this.#next) return this.#next;
    const running = this.#running;
    if (!running) return this.#start();
    // The running fsync may have started before this caller's write: wait for it, then take a new one.
    const next = running
      .catch(() => {})
      .then(() => {
        this.#next = null;
        return this.#start();
      });
    this.#next = next;
    return next;
  }

  /** True while no fsync runs or waits, so a keyed collection may drop this one. */
  get isIdle(): boolean {
    return this.#running === null && this.#next === null;
  }

  #start(): Promise<void> {
    const run = fsyncPath(this.path).finally(() => {
      if (this.#running === run) this.#running = null;
    });
    this.#running = run;
    return run;
  }
}

/**
 * fsync of a file or directory by path (Linux syncs the inode, whichever descriptor asks). Opening and
 * closing are quick metadata calls made in place; only the fsync waits in the thread pool.
 */
export async function fsyncPath(path: string): Promise<void> {
  const fd = openSync(path, "r");
  try {
    await fsyncDescriptor(fd);
  } finally {
    closeSync(fd);
  }
}

const fsyncDescriptor: (fd: number) => Promise<void> = promisify(fsync);
