// The embedded store's body copier (BlobStore.readWholeInto with native/body-copy.c): bodies stored in
// the database are copied into the caller's buffer, one after another, checked against their hash; what
// is not copied comes back null for the caller's other read.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { BlobHash } from "../../kit/ids.js";
import { forgetVerifiedBlobs } from "../blob/blob-integrity.js";
import { FileBlobStore } from "../blob/file-blob-store.js";
import { InProcessNotifier } from "../notifier/in-process-notifier.js";
import { NATIVE_ENV, nativeBodyCopy } from "./native-body-copy.js";
import { SqliteBlobStore } from "./sqlite-blob-store.js";
import { SqliteDatabase } from "./sqlite-database.js";

describe("SqliteBlobStore.readWholeInto", () => {
  let dir: string;
  let sql: SqliteDatabase;
  let blobs: SqliteBlobStore;
  const bodies = [
    "Subject: one\r\n\r\nfirst\r\n",
    "Subject: two\r\n\r\nsecond body\r\n",
    "Subject: 3\r\n\r\n.\r\n",
  ].map((text) => Buffer.from(text));
  const hashes: BlobHash[] = [];
  let inFile: { hash: BlobHash; size: number };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "postfach-blob-copy-"));
    const files = await FileBlobStore.open(join(dir, "blobs"));
    sql = new SqliteDatabase(join(dir, "postfach.db"), new InProcessNotifier(), "inline");
    blobs = new SqliteBlobStore(sql, files);
    for (const body of bodies) {
      const hash = blobs.hashOf(body);
      blobs.insertInline(hash, body);
      hashes.push(hash);
    }
    inFile = await blobs.put(Buffer.from("Subject: in a file\r\n\r\nbig\r\n"));
  });
  after(async () => {
    await sql.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("is there unless turned off: CI builds the addon with npm ci", () => {
    if (process.env[NATIVE_ENV] === "off") return;
    assert.notEqual(
      nativeBodyCopy,
      null,
      "build/Release/postfach_native.node is built (npm install runs node-gyp)",
    );
    assert.equal(typeof blobs.readWholeInto, "function");
  });

  it("copies the stored bodies one after another; a file, a missing blob or a wrong size is left null", (t) => {
    if (!blobs.readWholeInto) return t.skip("the native body copier is not built here");
    const target = Buffer.alloc(4096, 0xff);
    const whole = (i: number) => ({ hash: hashes[i] as BlobHash, size: (bodies[i] as Buffer).length });
    const [a, b, c] = [whole(0), whole(1), whole(2)];
    const missing = { hash: "0".repeat(64) as BlobHash, size: 10 };
    const wrongSize = { hash: hashes[0] as BlobHash, size: 5 };
    const read = blobs.readWholeInto([a, inFile, b, missing, wrongSize, c], target) as (Buffer | null)[];
    assert.deepEqual(
      read.map((bytes) => bytes?.toString()),
      [bodies[0], undefined, bodies[1], undefined, undefined, bodies[2]].map((bytes) => bytes?.toString()),
    );
    const sizes = bodies.map((body) => body.length);
    assert.deepEqual(
      read
        .filter((bytes) => bytes !== null)
        .map((bytes) => [bytes.buffer === target.buffer, bytes.byteOffset]),
      [
        [true, target.byteOffset],
        [true, target.byteOffset + (sizes[0] as number)],
        [true, target.byteOffset + (sizes[0] as number) + (sizes[1] as number)],
      ],
      "views of the target, packed",
    );
  });

  it("stops copying where the target is full", (t) => {
    if (!blobs.readWholeInto) return t.skip("the native body copier is not built here");
    const sizes = bodies.map((body) => body.length);
    const target = Buffer.alloc((sizes[0] as number) + Math.min(sizes[1] as number, sizes[2] as number) - 1);
    const read = blobs.readWholeInto(
      [0, 1, 2].map((i) => ({ hash: hashes[i] as BlobHash, size: sizes[i] as number })),
      target,
    );
    assert.deepEqual(
      read.map((bytes) => bytes?.toString() ?? null),
      [bodies[0]?.toString(), null, null],
    );
  });

  it("leaves no target registered: a later copy outside readWholeInto writes nothing", (t) => {
    if (!blobs.readWholeInto) return t.skip("the native body copier is not built here");
    blobs.readWholeInto(
      [{ hash: hashes[0] as BlobHash, size: (bodies[0] as Buffer).length }],
      Buffer.alloc(64),
    );
    assert.equal(sql.db.prepare("SELECT postfach_copy_into(x'00', 0)").pluck().get(), -1);
    assert.throws(() => sql.db.prepare("SELECT postfach_copy_into('text', 0)").get(), /postfach_copy_into/);
  });

  it("a damaged body is not copied; reading it the other way says it is damaged", (t) => {
    if (!blobs.readWholeInto) return t.skip("the native body copier is not built here");
    const body = Buffer.from("Subject: to damage\r\n\r\nintact\r\n");
    const hash = blobs.hashOf(body);
    blobs.insertInline(hash, body);
    sql.db
      .prepare("UPDATE message_blobs SET bytes = ? WHERE hash = ?")
      .run(Buffer.from(body).fill(0x41, 22), hash);
    forgetVerifiedBlobs();
    assert.deepEqual(blobs.readWholeInto([{ hash, size: body.length }], Buffer.alloc(256)), [null]);
    assert.throws(() => blobs.readRangeNow(hash, 0, body.length), { code: "corrupted" });
  });

  it("is absent without the addon, or where it does not load, so callers read bodies the allocating way", () => {
    assert.equal(new SqliteBlobStore(sql, blobs.files, null).readWholeInto, undefined);
    const unloadable = {
      path: join(dir, "missing.node"),
      sqliteEntryPoint: "postfach_sqlite_init",
      setTarget: () => {},
      clearTarget: () => {},
    };
    assert.equal(new SqliteBlobStore(sql, blobs.files, unloadable).readWholeInto, undefined);
  });
});
