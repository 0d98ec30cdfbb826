// Builds the webmail (web/) into dist/web, which the HTTP server serves at / (src/http/static-files.ts).
// No inline scripts or styles in the output (the page's CSP forbids inline scripts), no external URLs.
import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    // Every asset is a file, never a data: URL inlined into a script.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
  },
  server: {
    proxy: { "/jmap": "http://127.0.0.1:8080", "/.well-known/jmap": "http://127.0.0.1:8080" },
  },
});
