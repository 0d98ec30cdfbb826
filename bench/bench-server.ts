// The server side of the benchmarks: a data folder filled straight through the store (fast, batched),
// then `postfach serve` as its own process with only the listeners a scenario needs, on free ports.
// The store is SQLite in the data folder, or for `--vs-postgres` a fresh schema of the bench database.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserAdmin } from "../src/admin/user-admin.js";
import { defaultConfig } from "../src/config/config.js";
import { indexMessage } from "../src/mime/index/index-message.js";
import { openServices } from "../src/services.js";
import type { NewMessage } from "../src/store/mail-store.js";
import { generateCorpus, PLANT_EVERY, PLANT_OFFSET } from "./corpus.js";
import { createBenchSchema } from "./postgres-schema.js";

export const BENCH_ADDRESS = "bench@example.test";
export const BENCH_PASSWORD = "bench-password-123";
const CLI = new URL("../src/cli/postfach.js", import.meta.url).pathname;

/** The store backend a fill and its server use. */
export type BenchStore = "sqlite" | "postgres";

export interface FilledMailbox {
  readonly dataDir: string;
  /** The `store =` setting that opens this fill: "sqlite" (in dataDir) or its schema's postgres:// URL. */
  readonly store: string;
  /** Messages carrying the planted search tokens (in each account's INBOX). */
  readonly planted: number;
  /** Sum of the messages' sizes in bytes (of each account's INBOX). */
  readonly totalBytes: number;
  remove(): Promise<void>;
}

/**
 * Set by run-all.ts to a folder kept for the whole bench invocation: a fill marked `isReused` is built
 * there once and copied for every scenario (and run) that asks for the same mailbox, instead of filled
 * again. Fills used once are not cached: the copy would cost as much disk writing as the fill saves.
 */
export const FILL_CACHE_ENV = "POSTFACH_BENCH_FILL_CACHE";
/**
 * Extra Node.js options for the server processes, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a
 * scenario (NODE_OPTIONS does not allow --cpu-prof).
 */
export const SERVER_NODE_ARGS_ENV = "POSTFACH_BENCH_SERVER_NODE_ARGS";
/**
 * Extra settings for the servers' configuration, as comma-separated `section.key=number`, e.g.
 * `delivery.index_workers=0` to compare a setting's two values on the same build.
 */
export const SERVER_SETTINGS_ENV = "POSTFACH_BENCH_SERVER_SETTINGS";
/** Blob writes in flight while filling: each is fsynced, and concurrent fsyncs share the disk's flushes. */
const BLOB_WRITES_IN_FLIGHT = 64;

/**
 * A fresh data folder with one account whose INBOX holds `messages` messages made of `distinct` corpus
 * bodies repeated (blobs are content-addressed; every entry is still its own email).
 */
export async function fillMailbox(
  messages: number,
  distinct: number,
  seed = 2026,
  isReused = false,
  store: BenchStore = "sqlite",
): Promise<FilledMailbox> {
  return fillAccounts({ addresses: [BENCH_ADDRESS], messages, distinct, seed, isReused, store });
}

/**
 * A fresh data folder with `addresses` (password BENCH_PASSWORD), each INBOX holding `messages` messages
 * as `fillMailbox` makes them. With `isCheapHash`, passwords are hashed at the low scrypt cost that
 * `CHEAP_HASH_SETTINGS` tells the server to use, so thousands of accounts are quick to create.
 */
export async function fillAccounts(options: {
  readonly addresses: readonly string[];
  readonly messages: number;
  readonly distinct: number;
  readonly seed: number;
  readonly isCheapHash?: boolean;
  /** Whether other scenarios or runs ask for the same fill (see FILL_CACHE_ENV; SQLite fills only). */
  readonly isReused?: boolean;
  /** "sqlite" unless given; "postgres" fills a fresh schema, dropped by remove(). */
  readonly store?: BenchStore;
}): Promise<FilledMailbox> {
  const dataDir = await mkdtemp(join(tmpdir(), "postfach-bench-"));
  if (options.store === "postgres") {
    // A schema cannot be copied like a folder, so PostgreSQL fills are never cached.
    const schema = await createBenchSchema();
    const remove = async () => {
      await rm(dataDir, { recursive: true, force: true });
      await schema.drop();
    };
    try {
      const summary = await fillInto(dataDir, schema.storeUrl, options);
      // A mailbox filled in seconds would be measured with the planner statistics of empty tables
      // (autovacuum analyzes only after it notices the change, a minute or more later), which no
      // long-lived database has: the planner then walks every entry instead of using the trigram index.
      await schema.analyze();
      return { dataDir, store: schema.storeUrl, ...summary, remove };
    } catch (error) {
      await remove();
      throw error;
    }
  }
  const remove = () => rm(dataDir, { recursive: true, force: true });
  const cacheRoot = process.env[FILL_CACHE_ENV];
  try {
    if (cacheRoot === undefined || !options.isReused)
      return { dataDir, store: "sqlite", ...(await fillInto(dataDir, "sqlite", options)), remove };
    const { addresses, messages, distinct, seed, isCheapHash } = options;
    const key = `${addresses.length}x${messages}-${distinct}-${seed}${isCheapHash ? "-cheap" : ""}-${addresses[0]}`;
    const cached = join(cacheRoot, key);
    const summaryPath = join(cached, "fill-summary.json");
    if (!existsSync(summaryPath)) {
      await rm(cached, { recursive: true, force: true });
      await mkdir(cached, { recursive: true });
      await writeFile(summaryPath, JSON.stringify(await fillInto(cached, "sqlite", options)));
    }
    await cp(cached, dataDir, { recursive: true });
    const summary = JSON.parse(await readFile(summaryPath, "utf8")) as {
      planted: number;
      totalBytes: number;
    };
    return { dataDir, store: "sqlite", planted: summary.planted, totalBytes: summary.totalBytes, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** Server settings matching accounts created with `isCheapHash` (or each first login would rehash). */
export const CHEAP_HASH_SETTINGS = { auth: { scrypt_log2_cost: 4 } } as const;

async function fillInto(
  dataDir: string,
  store: string,
  options: Parameters<typeof fillAccounts>[0],
): Promise<{ planted: number; totalBytes: number }> {
  const { addresses, messages, distinct, seed } = options;
  const services = await openServices({ ...defaultConfig(), dataDir, store });
  let planted = 0;
  let totalBytes = 0;
  try {
    const users = options.isCheapHash
      ? new UserAdmin(services.store, services.mailboxes, {
          defaultQuota: { storageBytes: null, messages: null },
          createSpecialUseFolders: false,
          scryptCost: { ln: CHEAP_HASH_SETTINGS.auth.scrypt_log2_cost, r: 8, p: 1 },
        })
      : services.users;
    // Each distinct body is indexed once. The SQLite store gets the bodies with the appends, as LMTP
    // delivery hands them over, so they are stored where delivered mail is (small ones in the
    // database, migration 15; larger ones files); PostgreSQL's blobs are written once each up front, the
    // writes overlapping (its appends would store a repeated body again).
    const raws = [...generateCorpus(distinct, { seed })];
    const bodies: NewMessage[] = new Array(raws.length);
    const isBodyWithAppend = store === "sqlite";
    let next = 0;
    const writeBlobs = async () => {
      for (let n = next++; n < raws.length; n = next++) {
        const raw = raws[n] as Buffer;
        const blobHash = isBodyWithAppend
          ? services.store.blobs.hashOf(raw)
          : (await services.store.blobs.put(raw)).hash;
        bodies[n] = {
          blobHash,
          ...(isBodyWithAppend ? { body: raw } : {}),
          index: indexMessage(raw),
          flags: { system: new Set(), keywords: [] },
          internalDateMs: Date.now(),
        };
      }
    };
    await Promise.all(Array.from({ length: BLOB_WRITES_IN_FLIGHT }, writeBlobs));
    for (const address of addresses) {
      const account = await users.add(address, BENCH_PASSWORD);
      const inbox = await services.mailboxes.require(account.id, "INBOX");
      planted = 0;
      totalBytes = 0;
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
    }
  } finally {
    await services.close();
  }
  return { planted, totalBytes };
}

/** The listeners a bench server can open (plain, on a free loopback port each). */
export type BenchProto = "imap" | "pop3" | "lmtp" | "http";

export interface BenchServer {
  /** The server process, for reading its memory use. */
  readonly pid: number;
  /** Port of the first listener of this protocol. */
  port(proto: BenchProto): number;
  stop(): Promise<void>;
}

/**
 * Starts `postfach serve` on `dataDir` with plain listeners on free loopback ports for `protocols`;
 * `store` is the config's `store =` (a fill's `store`), the SQLite store in `dataDir` unless given.
 */
export async function startBenchServer(
  dataDir: string,
  protocols: readonly BenchProto[],
  settings: Readonly<Record<string, Readonly<Record<string, number>>>> = {},
  store = "sqlite",
): Promise<BenchServer> {
  const configPath = join(dataDir, "bench.toml");
  // Every other listener off (none on a fixed port), so bench servers can run side by side.
  const merged: Record<string, Record<string, number>> = {};
  for (const [section, values] of Object.entries(settings)) merged[section] = { ...values };
  for (const setting of (process.env[SERVER_SETTINGS_ENV] ?? "").split(",").filter((s) => s !== "")) {
    const match = /^(\w+)\.(\w+)=(-?[\d.]+)$/.exec(setting.trim());
    if (!match) throw new Error(`${SERVER_SETTINGS_ENV}: "${setting}" is not section.key=number`);
    merged[match[1] as string] = { ...merged[match[1] as string], [match[2] as string]: Number(match[3]) };
  }
  const valueLines = (section: string): string[] =>
    Object.entries(merged[section] ?? {}).map(([key, value]) => `${key} = ${value}`);
  const LISTENER_SECTIONS = ["imap", "pop3", "lmtp", "smtp", "submission", "managesieve", "http"];
  // A setting of a listener's section (`imap.compress_level=1`) goes into that section: TOML allows
  // each table once.
  const sections = LISTENER_SECTIONS.flatMap((proto) => [
    `[${proto}]`,
    `listen = [${protocols.includes(proto as "imap") ? '"127.0.0.1:0"' : ""}]`,
    ...(["imap", "pop3", "http", "submission"].includes(proto) ? ["tls_listen = []"] : []),
    ...valueLines(proto),
  ]);
  const settingLines = Object.keys(merged)
    .filter((section) => !LISTENER_SECTIONS.includes(section))
    .flatMap((section) => [`[${section}]`, ...valueLines(section)]);
  await writeFile(
    configPath,
    [
      `data_dir = "${dataDir}"`,
      `store = "${store}"`,
      "[log]",
      'level = "warn"',
      ...settingLines,
      ...sections,
    ].join("\n"),
  );
  const nodeArgs = (process.env[SERVER_NODE_ARGS_ENV] ?? "").split(" ").filter((arg) => arg !== "");
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, CLI, "serve", "--config", configPath], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let output = "";
  child.stderr?.setEncoding("utf8");
  const ports = await new Promise<Map<string, number>>((resolve, reject) => {
    child.stderr?.on("data", (chunk: string) => {
      output += chunk;
      if (!output.includes("Stop with Ctrl-C")) return;
      const found = new Map<string, number>();
      for (const match of output.matchAll(/^\s+(imap|pop3|lmtp|http)\s+127\.0\.0\.1:(\d+)/gm)) {
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
