// The body of the search-index worker thread (search-indexer.ts): its own connection to the store's
// database, on which it indexes pending email_search rows (search-index-catch-up.ts) when asked, one
// write transaction per request. It holds nothing that is not in the database: losing it loses no mail
// and no search result (pending rows are scanned), only the time to index them later.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { indexPendingSearchRows } from "./search-index-catch-up.js";
import type { SearchIndexReply, SearchIndexRequest } from "./search-indexer.js";

const { path } = workerData as { path: string };
const db = new Database(path);
// The main connection waits for this one only when it writes outside its group commits (which never
// overlap a catch-up); its writes are short.
db.pragma("busy_timeout = 10000");
// Durable with the main connection's next WAL fsync: an index lost in a power cut is only rows pending
// again. Checkpoints stay with the main connection (docs/performance.md, fourth pass of delivery).
db.pragma("synchronous = NORMAL");
db.pragma("wal_autocheckpoint = 0");
db.pragma("cache_size = -16384");

const catchUp = db.transaction((limit: number) => indexPendingSearchRows(db, limit));

parentPort?.on("message", (request: SearchIndexRequest) => {
  if (request.kind === "close") {
    db.close();
    // Ends this thread only (worker_threads), with its connection closed.
    process.exit(0);
  }
  let reply: SearchIndexReply;
  try {
    reply = { kind: "done", hasMore: catchUp.immediate(request.limit) };
  } catch (error) {
    reply = { kind: "failed", error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
