// The admin HTTP listener (docs/operations.md "Admin HTTP API"): its own address (127.0.0.1:8081 by
// default), never the JMAP/webmail listener, so it can stay on loopback or a management network while
// mail is public. /healthz, /readyz, /metrics and /openapi.json answer without a token (probes and
// Prometheus); everything under /api/v1 wants `Authorization: Bearer <token>`. JSON in, JSON out; every
// MailError code maps to one HTTP status here.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../../kit/logger.js";
import { isMailError, type MailErrorCode } from "../../kit/mail-error.js";
import { ADMIN_ROUTES, type AdminApiDeps, type AdminRoute } from "./admin-routes.js";

/** Request bodies are small JSON objects; anything larger is refused. */
const MAX_BODY_BYTES = 1 << 20;

const STATUS: Record<MailErrorCode, number> = {
  nonexistent: 404,
  alreadyExists: 409,
  invalidName: 400,
  hasChildren: 409,
  cannot: 409,
  overQuota: 409,
  tooBig: 413,
  invalidInput: 400,
  authFailed: 401,
  noPerm: 403,
  inUse: 409,
  limit: 429,
  unavailable: 503,
  noSpace: 507,
  corrupted: 500,
  serverBug: 500,
};

export interface AdminServerOptions {
  readonly addresses: readonly { host: string; port: number }[];
  readonly token: string;
  readonly deps: AdminApiDeps;
  /** The OpenAPI document served at /openapi.json (docs/admin-api.json as text). */
  readonly openApiJson: string;
  /** Prometheus text exposition of the server's metrics. */
  metricsText(): Promise<string>;
  /** True when the server can serve mail: listeners up, store answering, not shutting down. */
  isReady(): Promise<boolean>;
}

export interface AdminServer {
  /** The bound addresses as "host:port" (port 0 resolved). */
  readonly addresses: readonly string[];
  close(): Promise<void>;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Compares digests, so neither the token's length nor a common prefix shows in the timing. */
function isTokenValid(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(match[1] as string), digest(token));
}

/** The route for a method and path, with the path's `{name}` segments decoded. */
export function matchRoute(
  method: string,
  path: string,
): { route: AdminRoute; params: Record<string, string> } | "methodNotAllowed" | undefined {
  const segments = path.split("/");
  let pathMatched = false;
  for (const route of ADMIN_ROUTES) {
    const template = route.path.split("/");
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const isMatch = template.every((part, i) => {
      const segment = segments[i] as string;
      if (part.startsWith("{") && part.endsWith("}")) {
        if (segment === "") return false;
        try {
          params[part.slice(1, -1)] = decodeURIComponent(segment);
        } catch {
          return false;
        }
        return true;
      }
      return part === segment;
    });
    if (!isMatch) continue;
    pathMatched = true;
    if (route.method === method) return { route, params };
  }
  return pathMatched ? "methodNotAllowed" : undefined;
}

async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, "request body too large");
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpProblem(400, "the body is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new HttpProblem(400, "the body must be a JSON object");
  return value as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body?: unknown, contentType = "application/json"): void {
  const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": contentType,
    "cache-control": "no-store",
    ...(status === 401 ? { "www-authenticate": 'Bearer realm="postfach-admin"' } : {}),
  });
  res.end(status === 204 ? undefined : text);
}

export async function startAdminServer(options: AdminServerOptions, log: Logger): Promise<AdminServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://admin.invalid");
    const method = req.method ?? "GET";
    if (method === "GET" && url.pathname === "/healthz") return send(res, 200, { status: "ok" });
    if (method === "GET" && url.pathname === "/readyz") {
      const isReady = await options.isReady().catch(() => false);
      return send(res, isReady ? 200 : 503, { status: isReady ? "ready" : "not ready" });
    }
    if (method === "GET" && url.pathname === "/metrics")
      return send(res, 200, await options.metricsText(), "text/plain; version=0.0.4; charset=utf-8");
    if (method === "GET" && url.pathname === "/openapi.json") return send(res, 200, options.openApiJson);
    const found = matchRoute(method, url.pathname);
    if (found === undefined) return send(res, 404, { error: "notFound", detail: "no such endpoint" });
    if (!isTokenValid(req.headers.authorization, options.token))
      return send(res, 401, { error: "unauthorized", detail: "missing or wrong bearer token" });
    if (found === "methodNotAllowed")
      return send(res, 405, { error: "methodNotAllowed", detail: `${method} is not allowed here` });
    const body = method === "GET" || method === "DELETE" ? {} : await readJsonBody(req);
    const reply = await found.route.handle(options.deps, {
      params: found.params,
      query: url.searchParams,
      body,
    });
    log.info({ method, route: found.route.path, status: reply.status }, "admin api request");
    send(res, reply.status, reply.body);
  };

  const servers: Server[] = [];
  const addresses: string[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  };
  try {
    for (const address of options.addresses) {
      const server = createServer((req, res) => {
        handle(req, res).catch((error: unknown) => {
          if (error instanceof HttpProblem)
            return send(res, error.status, { error: "badRequest", detail: error.message });
          if (isMailError(error) && error.code !== "serverBug")
            return send(res, STATUS[error.code], { error: error.code, detail: error.publicText });
          log.error({ err: error }, "admin api request failed");
          if (!res.headersSent)
            send(res, 500, { error: "serverBug", detail: "internal error; see the server log" });
          else res.destroy();
        });
      });
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(address.port, address.host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      const bound = server.address() as AddressInfo;
      addresses.push(
        bound.family === "IPv6" ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`,
      );
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { addresses, close };
}
