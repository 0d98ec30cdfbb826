// The server side of the benchmarks: a data folder filled straight through the store (fast, batched),
// then `postfach serve` as its own process with only the listeners a scenario needs, on free ports.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../src/config/config.js";
import { openServices } from "../src/main.js";
import { indexMessage } from "../src/mime/index/index-message.js";
import type { NewMessage } from "../src/store/mail-store.js";
import { generateCorpus, PLANT_EVERY, PLANT_OFFSET } from "./corpus.js";

export const BENCH_ADDRESS = "bench@example.test";
export const BENCH_PASSWORD = "bench-password-123";
const CLI = new URL("../src/cli/postfach.js", import.meta.url).pathname;

export interface FilledMailbox {
  readonly dataDir: string;
  /** Messages carrying the planted search tokens. */
  readonly planted: number;
  /** Sum of the messages' sizes in bytes. */
  readonly totalBytes: number;
  remove(): Promise<void>;
}

/**
 * A fresh data folder with one account whose INBOX holds `messages` messages made of `distinct` corpus
 * bodies repeated (blobs are content-addressed; every entry is still its own email).
 */
export async function fillMailbox(messages: number, distinct: number, seed = 2026): Promise<FilledMailbox> {
  const dataDir = await mkdtemp(join(tmpdir(), "postfach-bench-"));
  const services = await openServices({ ...defaultConfig(), dataDir });
  let planted = 0;
  let totalBytes = 0;
  try {
    const account = await services.users.add(BENCH_ADDRESS, BENCH_PASSWORD);
    const inbox = await services.mailboxes.require(account.id, "INBOX");
    const bodies: NewMessage[] = [];
    for (const raw of generateCorpus(distinct, { seed })) {
      const { hash } = await services.store.blobs.put(raw);
      bodies.push({
        blobHash: hash,
        index: indexMessage(raw),
        flags: { system: new Set(), keywords: [] },
        internalDateMs: Date.now(),
      });
    }
    const batch: NewMessage[] = [];
    for (let i = 0; i < messages; i++) {
      const source = i % distinct;
      if (source % PLANT_EVERY === PLANT_OFFSET) planted++;
      const body = bodies[source] as NewMessage;
      totalBytes += body.index.size;
      batch.push(body);
      if (batch.length === 1000 || i === messages - 1) {
        await services.store.messages.appendMany(account.id, inbox.id, batch);
        batch.length = 0;
      }
    }
  } finally {
    await services.close();
  }
  return { dataDir, planted, totalBytes, remove: () => rm(dataDir, { recursive: true, force: true }) };
}

export interface BenchServer {
  /** The server process, for reading its memory use. */
  readonly pid: number;
  /** Port of the first listener of this protocol. */
  port(proto: "imap" | "pop3" | "lmtp"): number;
  stop(): Promise<void>;
}

/** Starts `postfach serve` on `dataDir` with plain listeners on free loopback ports for `protocols`. */
export async function startBenchServer(
  dataDir: string,
  protocols: readonly ("imap" | "pop3" | "lmtp")[],
  settings: Readonly<Record<string, Readonly<Record<string, number>>>> = {},
): Promise<BenchServer> {
  const configPath = join(dataDir, "bench.toml");
  const sections = ["imap", "pop3", "lmtp", "smtp", "submission", "http"].flatMap((proto) => [
    `[${proto}]`,
    `listen = [${protocols.includes(proto as "imap") ? '"127.0.0.1:0"' : ""}]`,
    ...(proto === "imap" || proto === "pop3" ? ["tls_listen = []"] : []),
  ]);
  const settingLines = Object.entries(settings).flatMap(([section, values]) => [
    `[${section}]`,
    ...Object.entries(values).map(([key, value]) => `${key} = ${value}`),
  ]);
  await writeFile(
    configPath,
    [`data_dir = "${dataDir}"`, "[log]", 'level = "warn"', ...settingLines, ...sections].join("\n"),
  );
  const child: ChildProcess = spawn(process.execPath, [CLI, "serve", "--config", configPath], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let output = "";
  child.stderr?.setEncoding("utf8");
  const ports = await new Promise<Map<string, number>>((resolve, reject) => {
    child.stderr?.on("data", (chunk: string) => {
      output += chunk;
      if (!output.includes("Stop with Ctrl-C")) return;
      const found = new Map<string, number>();
      for (const match of output.matchAll(/^\s+(imap|pop3|lmtp)\s+127\.0\.0\.1:(\d+)/gm)) {
        if (!found.has(match[1] as string)) found.set(match[1] as string, Number(match[2]));
      }
      resolve(found);
    });
    child.on("exit", () => reject(new Error(`server exited: ${output}`)));
  });
  return {
    pid: child.pid as number,
    port(proto) {
      const port = ports.get(proto);
      if (port === undefined) throw new Error(`no ${proto} listener in: ${output}`);
      return port;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
