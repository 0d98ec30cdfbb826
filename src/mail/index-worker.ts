// The body of one indexing worker thread (index-workers.ts): builds the MessageIndex of each message it is
// sent (mime/index/index-message.ts: pure CPU, no I/O) and what the store writes of it, and posts them
// back with the task's number. It holds
// no state and writes nothing, so losing it loses no mail: the caller answers its tasks with a temporary
// failure.
import { parentPort } from "node:worker_threads";
import { type IndexReply, type IndexTask, indexForStore } from "./index-workers.js";

parentPort?.on("message", (task: IndexTask) => {
  let reply: IndexReply;
  try {
    reply = { id: task.id, indexed: indexForStore(task.raw) };
  } catch (error) {
    // indexMessage never throws on hostile input; this is a bug, reported to the caller as one.
    reply = { id: task.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort?.postMessage(reply);
});
