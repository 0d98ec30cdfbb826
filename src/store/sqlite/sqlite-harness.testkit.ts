// The SQLite store for tests: each create() opens a fresh temporary data folder, which destroy() removes.
// The contract suites run on it, and unit tests above the store open theirs with storeForSuite.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StoreHarness } from "../contract/mail-store-contract.js";
import type { MailStore } from "../mail-store.js";
import { openSqliteStore } from "./sqlite-store.js";

export const SQLITE_HARNESS: StoreHarness = {
  async create() {
    const dataDir = await mkdtemp(join(tmpdir(), "postfach-store-"));
    let current: MailStore = await openSqliteStore({ dataDir });
    const seconds: MailStore[] = [];
    return {
      get store() {
        return current;
      },
      async reopen() {
        await current.close();
        current = await openSqliteStore({ dataDir });
        return current;
      },
      async openSecond() {
        const second = await openSqliteStore({ dataDir });
        seconds.push(second);
        return second;
      },
      async destroy() {
        await current.close();
        for (const second of seconds) await second.close().catch(() => {});
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
};
