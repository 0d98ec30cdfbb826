// The native body copier (native/body-copy.c, built by `npm install` through node-gyp): an SQLite
// function that copies a BLOB into memory JavaScript registered, so a download reads its bodies into
// reused buffers instead of one new Buffer each. Optional: where the addon was not built (no compiler)
// or POSTFACH_NATIVE=off, the store reads bodies the portable way and everything else is the same.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** The addon's JavaScript half; the SQLite half is loaded into each connection from `path`. */
export interface NativeBodyCopy {
  /** The shared object: a Node.js addon and an SQLite extension in one file. */
  readonly path: string;
  /** The SQLite extension's entry point, for Database.loadExtension. */
  readonly sqliteEntryPoint: string;
  /** The memory postfach_copy_into(blob, offset) fills from now on (kept alive while registered). */
  setTarget(bytes: Uint8Array): void;
  /** No memory is filled until the next setTarget. */
  clearTarget(): void;
}

/** Set to "off" to read bodies without the addon (to compare, or where it misbehaves). */
export const NATIVE_ENV = "POSTFACH_NATIVE";

/** Where node-gyp puts the addon: build/Release under the package root (dist/src/store/sqlite → root). */
const ADDON_PATH = fileURLToPath(new URL("../../../../build/Release/postfach_native.node", import.meta.url));

/** The addon, or null where it is not built or turned off. */
export const nativeBodyCopy: NativeBodyCopy | null = loadNativeBodyCopy();

function loadNativeBodyCopy(): NativeBodyCopy | null {
  if (process.env[NATIVE_ENV] === "off" || !existsSync(ADDON_PATH)) return null;
  const addon = createRequire(import.meta.url)(ADDON_PATH) as Pick<
    NativeBodyCopy,
    "setTarget" | "clearTarget"
  >;
  return {
    path: ADDON_PATH,
    sqliteEntryPoint: "postfach_sqlite_init",
    setTarget: addon.setTarget,
    clearTarget: addon.clearTarget,
  };
}
