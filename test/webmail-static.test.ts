// The webmail's static files over real HTTP (src/http/static-files.ts): content types, cache headers and
// the CSP on every answer, the SPA fallback for app routes, conditional requests, path traversal attempts
// (raw request lines, so no client normalizes them first), and that the APIs are never shadowed.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Sends one request line exactly as written and reads the whole answer (Connection: close). */
function rawRequest(
  port: number,
  method: string,
  target: string,
  headers: string[] = [],
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      const [statusLine, ...lines] = text.slice(0, split).split("\r\n");
      const parsed: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        parsed[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine?.split(" ")[1]), headers: parsed, body: text.slice(split + 4) });
    });
    socket.write(
      [`${method} ${target} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close", ...headers, "", ""].join(
        "\r\n",
      ),
    );
  });
}

describe("webmail static files", () => {
  let server: TestServer;
  let port: number;

  before(async () => {
    server = await startTestServer();
    port = server.port("http");
  });
  after(() => server.stop());

  it("serves the app at / with its content type, no-cache and a strict CSP", async () => {
    const res = await rawRequest(port, "GET", "/");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(res.headers["cache-control"], "no-cache");
    const csp = res.headers["content-security-policy"] ?? "";
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers["x-content-type-options"], "nosniff");
    assert.match(res.body, /<div id="app"><\/div>/);
    // No inline script: every script is a file of this origin.
    assert.doesNotMatch(res.body, /<script(?![^>]*\bsrc=")[^>]*>/);
    assert.doesNotMatch(res.body, /https?:\/\//);
  });

  it("serves hashed assets as immutable, with an ETag that answers 304", async () => {
    const index = await rawRequest(port, "GET", "/");
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(index.body)?.[1];
    const style = /href="(\/assets\/[^"]+\.css)"/.exec(index.body)?.[1];
    assert.ok(script !== undefined && style !== undefined);
    const js = await rawRequest(port, "GET", script);
    assert.equal(js.status, 200);
    assert.equal(js.headers["content-type"], "text/javascript; charset=utf-8");
    assert.equal(js.headers["cache-control"], "public, max-age=31536000, immutable");
    const css = await rawRequest(port, "GET", style);
    assert.equal(css.headers["content-type"], "text/css; charset=utf-8");
    const etag = js.headers.etag;
    assert.ok(etag);
    const again = await rawRequest(port, "GET", script, [`If-None-Match: ${etag}`]);
    assert.equal(again.status, 304);
    assert.equal(again.body, "");
    const head = await rawRequest(port, "HEAD", script);
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
  });

  it("answers app routes with the app and missing files with 404", async () => {
    const route = await rawRequest(port, "GET", "/mailbox/inbox?x=1");
    assert.equal(route.status, 200);
    assert.match(route.body, /<div id="app">/);
    assert.equal((await rawRequest(port, "GET", "/missing.js")).status, 404);
    assert.equal((await rawRequest(port, "GET", "/assets/missing")).status, 404);
    assert.equal((await rawRequest(port, "POST", "/")).status, 405);
  });

  it("never serves a file outside the web root (path traversal)", async () => {
    // dist/web's parent holds the compiled server: dist/src/main.js must stay unreachable.
    const attempts = [
      "/../src/main.js",
      "/%2e%2e/src/main.js",
      "/..%2fsrc%2fmain.js",
      "/%2e%2e%2fsrc%2fmain.js",
      "/assets/..%2f..%2fsrc%2fmain.js",
      "/assets/%2e%2e%5c%2e%2e%5csrc%5cmain.js",
      "/..%5csrc%5cmain.js",
      "/%252e%252e/src/main.js",
      "//etc/passwd",
      "/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
      "/%00index.html",
      "/index.html%00.js",
      "/%c0%ae%c0%ae/src/main.js",
      "/.vite/manifest.json",
      "/%",
    ];
    for (const target of attempts) {
      const res = await rawRequest(port, "GET", target);
      assert.ok(
        res.status === 400 ||
          res.status === 404 ||
          (res.status === 200 && res.body.includes('<div id="app">')),
        `${target}: ${res.status}`,
      );
      assert.doesNotMatch(res.body, /runServer|root:x:0/, target);
    }
  });

  it("does not shadow the JMAP endpoints", async () => {
    const session = await rawRequest(port, "GET", "/.well-known/jmap");
    assert.equal(session.status, 401);
    assert.equal((await rawRequest(port, "GET", "/jmap/eventsource")).status, 401);
    const unknown = await rawRequest(port, "GET", "/jmap/unknown");
    assert.equal(unknown.status, 404);
    assert.match(unknown.headers["content-type"] ?? "", /^application\/problem\+json/);
    assert.equal((await rawRequest(port, "GET", "/jmap")).status, 404);
    assert.equal((await rawRequest(port, "GET", "/.well-known/other")).status, 404);
  });
});
