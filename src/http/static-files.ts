// The webmail's static files (web/, built by Vite into dist/web): GET/HEAD of a file under the web root with
// its content type, an ETag and a cache policy (hashed assets forever, everything else revalidated), a strict
// Content-Security-Policy on every answer, and index.html for app routes (paths without an extension).
// A path never leaves the root: decoded, normalized, no dot segments or dotfiles, symlinks resolved and checked.
import { createReadStream, existsSync, realpathSync } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, sep } from "node:path";
import { pipeline } from "node:stream/promises";

/**
 * The webmail page's policy: scripts, styles and connections from this origin only. Inline styles are
 * allowed because a message's own HTML is styled inline (it is shown in a sandboxed iframe without scripts,
 * and srcdoc frames inherit this policy); images may come from other hosts only because the user can allow
 * a message's remote images — the message frame's own policy blocks them until then (docs/webmail.md).
 */
export const WEBMAIL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https: http:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/** Vite puts content-hashed files here: their name changes with their content, so they never expire. */
const HASHED_ASSETS_PREFIX = "/assets/";

export class StaticSite {
  readonly #root: string;

  /** `root` must exist; use `StaticSite.open` to get null when the webmail has not been built. */
  private constructor(root: string) {
    this.#root = root;
  }

  /** The site at `root` (an absolute path), or null when it has no index.html (the webmail is not built). */
  static open(root: string): StaticSite | null {
    if (!existsSync(join(root, "index.html"))) return null;
    return new StaticSite(realpathSync(root));
  }

  /** Whether a request path belongs to the webmail rather than to an API (which it must never shadow). */
  static isSitePath(path: string): boolean {
    return !(path === "/jmap" || path.startsWith("/jmap/") || path.startsWith("/.well-known/"));
  }

  /** Answers a GET or HEAD for `rawPath` (the URL's pathname, still percent-encoded). */
  async serve(rawPath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = safeDecode(rawPath);
    if (path === null || !isCleanPath(path)) return sendStatus(res, 400, "Bad Request");
    const direct = await this.#fileAt(path);
    if (direct !== null) return sendFile(req, res, direct, path.startsWith(HASHED_ASSETS_PREFIX));
    // An app route (/mailbox/…, /login) gets the app; a missing file with an extension is a 404.
    if (extname(path) === "" && !path.startsWith(HASHED_ASSETS_PREFIX)) {
      const index = await this.#fileAt("/index.html");
      if (index !== null) return sendFile(req, res, index, false);
    }
    sendStatus(res, 404, "Not Found");
  }

  /** The regular file at a clean path, resolved through symlinks and still inside the root, or null. */
  async #fileAt(path: string): Promise<{ file: string; size: number; mtimeMs: number } | null> {
    const relative = path === "/" ? "index.html" : path.slice(1);
    try {
      const file = await realpath(join(this.#root, relative));
      if (!file.startsWith(this.#root + sep)) return null;
      const info = await stat(file);
      return info.isFile() ? { file, size: info.size, mtimeMs: info.mtimeMs } : null;
    } catch {
      return null;
    }
  }
}

/** No dot segments, dotfiles, backslashes or control characters: such paths are never the webmail's. */
function isCleanPath(path: string): boolean {
  if (!path.startsWith("/") || path.length > 1024) return false;
  if (/[\\\u0000-\u001f\u007f]/.test(path)) return false;
  return path.split("/").every((segment) => !segment.startsWith("."));
}

async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  found: { file: string; size: number; mtimeMs: number },
  isHashed: boolean,
): Promise<void> {
  const etag = `"${found.size.toString(36)}-${Math.floor(found.mtimeMs).toString(36)}"`;
  const headers: Record<string, string | number> = {
    ...securityHeaders(),
    "content-type": CONTENT_TYPES[extname(found.file).toLowerCase()] ?? "application/octet-stream",
    "cache-control": isHashed ? "public, max-age=31536000, immutable" : "no-cache",
    etag,
  };
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, "content-length": found.size });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  await pipeline(createReadStream(found.file), res);
}

function securityHeaders(): Record<string, string> {
  return {
    "content-security-policy": WEBMAIL_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
  };
}

function sendStatus(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    ...securityHeaders(),
    "content-type": "text/plain; charset=utf-8",
    "content-length": text.length + 1,
  });
  res.end(res.req.method === "HEAD" ? undefined : `${text}\n`);
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
