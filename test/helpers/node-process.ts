// Test support for scale-out: `postfach serve` as a child process (a "node") with its own config file and
// data folder, listening on loopback port 0; the ports are read from its start banner. Several nodes on
// one PostgreSQL schema make a cluster on one machine.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { TEST_SCRYPT_LOG2_COST } from "./test-auth.js";

const CLI = new URL("../../src/cli/postfach.js", import.meta.url).pathname;
const START_TIMEOUT_MS = 30_000;
/** Log output kept per node (JSON lines), for tests that look for a field in it. */
const MAX_LOG_CHARS = 1_000_000;

export interface NodeOptions {
  /** Folder for the node's config file and data folder. */
  readonly dir: string;
  readonly name: string;
  /** The `store =` setting, e.g. a postgres:// URL with a search_path. */
  readonly store: string;
  readonly logLevel?: "warn" | "info" | "debug";
  /** [limits] shutdown_grace_ms (default 500). */
  readonly shutdownGraceMs?: number;
  /** Extra TOML lines appended to the file (sections such as [proxy]). */
  readonly extraToml?: readonly string[];
}

export interface NodeProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Plain (non-TLS) listener ports. */
  readonly ports: { readonly imap: number; readonly pop3: number; readonly lmtp: number };
  /** The node's JSON log lines so far. */
  log(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Writes the node's postfach.toml and returns its path. */
export async function writeNodeConfig(options: NodeOptions): Promise<string> {
  const dataDir = join(options.dir, options.name);
  await mkdir(dataDir, { recursive: true });
  const path = join(options.dir, `${options.name}.toml`);
  const lines = [
    `data_dir = "${dataDir}"`,
    `store = "${options.store}"`,
    `hostname = "${options.name}.example.test"`,
    "[log]",
    `level = "${options.logLevel ?? "warn"}"`,
    'format = "json"',
    "[imap]",
    'listen = ["127.0.0.1:0"]',
    "tls_listen = []",
    "[pop3]",
    'listen = ["127.0.0.1:0"]',
    "tls_listen = []",
    "[lmtp]",
    'listen = ["127.0.0.1:0"]',
    "[smtp]",
    "listen = []",
    "[submission]",
    "listen = []",
    "tls_listen = []",
    "[managesieve]",
    "listen = []",
    "[http]",
    "listen = []",
    "[limits]",
    `shutdown_grace_ms = ${options.shutdownGraceMs ?? 500}`,
    "max_connections_per_ip = 500",
    "[auth]",
    `scrypt_log2_cost = ${TEST_SCRYPT_LOG2_COST}`,
    ...(options.extraToml ?? []),
  ];
  await writeFile(path, `${lines.join("\n")}\n`);
  return path;
}

/** Starts `postfach serve` on the config and resolves once its listeners are bound. */
export async function startNode(options: NodeOptions): Promise<NodeProcess> {
  const configPath = await writeNodeConfig(options);
  const child = spawn(process.execPath, [CLI, "serve", "--config", configPath], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    if (log.length < MAX_LOG_CHARS) log += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let banner = "";
  child.stderr?.setEncoding("utf8");
  const ports = await new Promise<NodeProcess["ports"]>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${options.name} did not start in time: ${banner}`));
    }, START_TIMEOUT_MS);
    child.stderr?.on("data", (chunk: string) => {
      banner += chunk;
      const port = (proto: string) =>
        Number(new RegExp(`^\\s+${proto}\\s+127\\.0\\.0\\.1:(\\d+)$`, "m").exec(banner)?.[1]);
      const found = { imap: port("imap"), pop3: port("pop3"), lmtp: port("lmtp") };
      if (Object.values(found).every((p) => p > 0)) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (${code ?? signal}): ${banner}${log}`));
    });
  });
  return {
    name: options.name,
    child,
    ports,
    log: () => log,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
