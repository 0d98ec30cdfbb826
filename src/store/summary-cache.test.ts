import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BlobHash, EmailId } from "../kit/ids.js";
import type { EmailSummary, SummaryText } from "./mail-store.js";
import { SUMMARY_CACHE_MAX_READ, SummaryCache, type SummaryLoader } from "./summary-cache.js";

/** A store of `count` emails whose texts name their email; records every read it serves. */
function fakeStore(count: number) {
  const reads: { ids: EmailId[]; texts: SummaryText[] }[] = [];
  const load: SummaryLoader = async (ids, texts) => {
    reads.push({ ids: [...ids], texts: [...texts] });
    const found = new Map<EmailId, EmailSummary>();
    for (const id of ids) {
      if (Number(id.slice(1)) >= count) continue;
      const summary: Record<string, unknown> = {
        emailId: id,
        blobHash: `h${id}` as BlobHash,
        size: 10,
        crlfSize: 10,
      };
      for (const text of texts) summary[text] = `${text} of ${id}`;
      found.set(id, summary as unknown as EmailSummary);
    }
    return found;
  };
  return { reads, load };
}

const ids = (...numbers: number[]): EmailId[] => numbers.map((n) => `E${n}` as EmailId);

describe("SummaryCache", () => {
  it("asks the store once for an email a read names twice", async () => {
    const cache = new SummaryCache();
    const store = fakeStore(100);
    const read = await cache.read(ids(5, 6, 5), ["envelope"], store.load);
    assert.deepEqual(
      store.reads.map((r) => r.ids),
      [ids(5, 6)],
    );
    assert.deepEqual([...read.keys()], ids(5, 6));
  });

  it("reads each summary from the store once, then from memory", async () => {
    const cache = new SummaryCache();
    const store = fakeStore(100);
    const first = await cache.read(ids(1, 2, 3), ["envelope"], store.load);
    const again = await cache.read(ids(2, 3, 4), ["envelope"], store.load);
    assert.deepEqual(
      store.reads.map((r) => r.ids),
      [ids(1, 2, 3), ids(4)],
    );
    assert.equal(first.get(ids(2)[0] as EmailId)?.envelope, "envelope of E2");
    assert.deepEqual([...again.keys()], ids(2, 3, 4));
    assert.equal(again.get(ids(4)[0] as EmailId)?.envelope, "envelope of E4");
  });

  it("reads a text not kept yet, and keeps it beside the texts read before", async () => {
    const cache = new SummaryCache();
    const store = fakeStore(100);
    await cache.read(ids(1), ["envelope"], store.load);
    const both = await cache.read(ids(1), ["envelope", "bodyStructure"], store.load);
    assert.deepEqual(store.reads[1], { ids: ids(1), texts: ["envelope", "bodyStructure"] });
    assert.equal(both.get(ids(1)[0] as EmailId)?.bodyStructure, "bodyStructure of E1");
    await cache.read(ids(1), ["preview"], store.load);
    const all = await cache.read(ids(1), ["envelope", "bodyStructure", "preview"], store.load);
    assert.equal(store.reads.length, 3, "the last read came from memory");
    assert.equal(all.get(ids(1)[0] as EmailId)?.preview, "preview of E1");
    assert.equal(all.get(ids(1)[0] as EmailId)?.envelope, "envelope of E1");
  });

  it("leaves out emails the store does not know, and asks for them again", async () => {
    const cache = new SummaryCache();
    const store = fakeStore(2);
    assert.deepEqual([...(await cache.read(ids(1, 5), ["envelope"], store.load)).keys()], ids(1));
    await cache.read(ids(1, 5), ["envelope"], store.load);
    assert.deepEqual(store.reads[1]?.ids, ids(5));
  });

  it("passes a large read to the store untouched and keeps none of it", async () => {
    const cache = new SummaryCache();
    const store = fakeStore(1000);
    const many = ids(...Array.from({ length: SUMMARY_CACHE_MAX_READ + 1 }, (_, i) => i));
    assert.equal((await cache.read(many, ["envelope"], store.load)).size, many.length);
    await cache.read(ids(0), ["envelope"], store.load);
    assert.deepEqual(store.reads[1]?.ids, ids(0));
  });

  it("forgets the least recently used summaries beyond its size, and all of them when cleared", async () => {
    // Room for about three entries of these texts.
    const cache = new SummaryCache(3 * 230);
    const store = fakeStore(100);
    await cache.read(ids(1, 2, 3), ["envelope"], store.load);
    await cache.read(ids(1), ["envelope"], store.load); // 1 is now the most recently used
    await cache.read(ids(4), ["envelope"], store.load); // pushes out 2, the least recently used
    store.reads.length = 0;
    await cache.read(ids(1, 3, 4), ["envelope"], store.load);
    assert.equal(store.reads.length, 0, "all three from memory");
    await cache.read(ids(2), ["envelope"], store.load);
    assert.deepEqual(store.reads[0]?.ids, ids(2));
    cache.clear();
    await cache.read(ids(1), ["envelope"], store.load);
    assert.deepEqual(store.reads[1]?.ids, ids(1));
  });
});
