// Server CPU time for the benchmarks: on a shared machine a scenario's wall time swings with other work,
// while the CPU the server itself spends on it is steady. Measured from /proc (Linux) over a process and
// all its descendants, the children it already reaped included (Dovecot runs a process per POP3 or IMAP
// connection and its master reaps them), so a one-process and a many-process server are measured alike.
import { readdirSync, readFileSync } from "node:fs";
import type { TargetName } from "./compare.js";
import { median } from "./stats.js";

/** Clock ticks per second of /proc's times (USER_HZ, 100 on every Linux this runs on). */
const TICKS_PER_SECOND = 100;

/** utime+stime+cutime+cstime of `rootPid` and its descendants, in ms; 0 where /proc is missing. */
export function treeCpuMs(rootPid: number): number {
  return treeCpuSplitMs(rootPid).totalMs;
}

/** The same, and the part of it spent in the kernel (stime+cstime): system calls, page faults, copies. */
export function treeCpuSplitMs(rootPid: number): { totalMs: number; kernelMs: number } {
  const stats = new Map<number, { parent: number; ticks: number; kernelTicks: number }>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return { totalMs: 0, kernelMs: 0 };
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name: state ppid … utime(14) stime(15) cutime(16) cstime(17).
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = [11, 12, 13, 14].reduce((sum, at) => sum + Number(fields[at]), 0);
      const kernelTicks = Number(fields[12]) + Number(fields[14]);
      stats.set(Number(entry), { parent: Number(fields[1]), ticks, kernelTicks });
    } catch {
      // The process ended while we looked.
    }
  }
  let ticks = 0;
  let kernelTicks = 0;
  for (const [pid, stat] of stats) {
    for (let at: number | undefined = pid; at !== undefined && at > 1; at = stats.get(at)?.parent) {
      if (at !== rootPid) continue;
      ticks += stat.ticks;
      kernelTicks += stat.kernelTicks;
      break;
    }
  }
  return { totalMs: (ticks * 1000) / TICKS_PER_SECOND, kernelMs: (kernelTicks * 1000) / TICKS_PER_SECOND };
}

/**
 * Each server's CPU per measured run, and the kernel's part of it: where the bytes' way through the
 * kernel (loopback TCP, file reads) is most of a scenario, both servers show it.
 */
export class ServerCpu {
  readonly #runs = new Map<TargetName, { totalMs: number; kernelMs: number }[]>();

  add(name: TargetName, run: { totalMs: number; kernelMs: number }): void {
    this.#runs.set(name, [...(this.#runs.get(name) ?? []), run]);
  }

  /** e.g. `pop3_retr_all_server_cpu postfach 120 ms (130, 120, 110, kernel 40 ms) | …` */
  report(scenario: string): void {
    const parts = [...this.#runs].map(([name, runs]) => {
      const totals = runs.map((run) => run.totalMs.toFixed(0)).join(", ");
      const kernel = median(runs.map((run) => run.kernelMs)).toFixed(0);
      return `${name} ${median(runs.map((run) => run.totalMs)).toFixed(0)} ms (${totals}, kernel ${kernel} ms)`;
    });
    console.log(
      `${scenario}_server_cpu ${parts.join(" | ")}  (utime+stime of the server's process tree; kernel: stime, median)`,
    );
  }
}

/**
 * The server CPU of one measurement: `measure` runs, then (after `settleMs`, so a per-connection process
 * has exited and been reaped) the tree's CPU time is read again; the difference goes to `cpu`.
 */
export async function withServerCpu<T>(
  pid: number,
  cpu: ServerCpu,
  name: TargetName,
  measure: () => Promise<T>,
  settleMs = 200,
): Promise<T> {
  const before = treeCpuSplitMs(pid);
  const result = await measure();
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const after = treeCpuSplitMs(pid);
  cpu.add(name, { totalMs: after.totalMs - before.totalMs, kernelMs: after.kernelMs - before.kernelMs });
  return result;
}

/** Runs `fn` and returns the CPU milliseconds the server tree of `pid` spent meanwhile. */
export async function serverCpuDuring(pid: number, fn: () => Promise<unknown>): Promise<number> {
  const before = treeCpuMs(pid);
  await fn();
  return treeCpuMs(pid) - before;
}

/** CPU milliseconds used so far by the main thread of `pid` alone (its worker threads left out). */
export function mainThreadCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * The bench process's own CPU per measured run, by target: where the client's parsing is most of the
 * wall time (a resync's 100,000 lines, megabytes of literals), it sets the pace for both servers.
 */
export class ClientCpu {
  readonly #runs = new Map<TargetName, number[]>();

  /** Runs `measure` and records the CPU this process spent meanwhile (its waits cost none). */
  async during<T>(name: TargetName, measure: () => Promise<T>): Promise<T> {
    const before = process.cpuUsage();
    const result = await measure();
    const used = process.cpuUsage(before);
    this.#runs.set(name, [...(this.#runs.get(name) ?? []), (used.user + used.system) / 1000]);
    return result;
  }

  /** e.g. `fetch_flags_all_client_cpu postfach 60 ms (70, 60, 55) | …` */
  report(scenario: string): void {
    const parts = [...this.#runs].map(([name, runs]) => {
      const each = runs.map((ms) => ms.toFixed(0)).join(", ");
      return `${name} ${median(runs).toFixed(0)} ms (${each})`;
    });
    console.log(
      `${scenario}_client_cpu ${parts.join(" | ")}  (the bench process's CPU per run while it waited for each, median)`,
    );
  }
}
