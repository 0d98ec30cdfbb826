// The JMAP endpoints over HTTP (RFC 8620 §2 session resource, §3.1 API, §6.2 download): authentication
// with HTTP Basic through the shared Authenticator (and its brute-force limits), then one handler each.
import type { IncomingMessage, ServerResponse } from "node:http";
import { isPlaintextAuthAllowed, type PlaintextAuthPolicy } from "../auth/plaintext-policy.js";
import { runApiRequest } from "../jmap/api-request.js";
import { findDownloadEmail } from "../jmap/blob-download.js";
import type { JmapLimits } from "../jmap/capabilities.js";
import { decodedPartBytes, findSection, locateParts, parseBlobId } from "../jmap/email-body.js";
import { RequestProblem } from "../jmap/jmap-error.js";
import {
  API_PATH,
  DOWNLOAD_PATH,
  EVENT_SOURCE_PATH,
  sessionResource,
  sessionStateOf,
  UPLOAD_PATH,
} from "../jmap/session-resource.js";
import { listSharedAccounts } from "../jmap/shared-accounts.js";
import type { Logger } from "../kit/logger.js";
import { isMailError } from "../kit/mail-error.js";
import type { AccountRecord } from "../store/mail-store.js";
import { BASIC_CHALLENGE, parseBasicAuthorization } from "./basic-auth.js";
import { type BearerTokens, parseBearerAuthorization } from "./bearer-tokens.js";
import { parseEventSourceQuery, serveEventSource } from "./event-source.js";
import type { HttpDeps } from "./http-server.js";
import { readBody } from "./read-body.js";
import type { RequestLimiter } from "./request-limiter.js";
import { StaticSite } from "./static-files.js";
import { receiveUpload } from "./upload.js";

export interface HttpRequestContext {
  readonly deps: HttpDeps;
  readonly limits: JmapLimits;
  readonly plaintextAuth: PlaintextAuthPolicy;
  readonly remoteAddress: string;
  readonly isTls: boolean;
  readonly requestLimiter: RequestLimiter;
  /** maxConcurrentUpload per account. */
  readonly uploadLimiter: RequestLimiter;
  readonly log: Logger;
  /** Aborted when the server shuts down (long responses such as EventSource end then). */
  readonly closing: AbortSignal;
  /** Gives the connection the logged-in idle timeout (a quiet EventSource stream is not idle). */
  readonly useLongIdleTimeout: () => void;
  readonly tokens: BearerTokens;
  /** The webmail's files, served for every path that is not an API's (null: not built). */
  readonly site: StaticSite | null;
}

const JSON_TYPE = "application/json; charset=utf-8";
const PROBLEM_TYPE = "application/problem+json; charset=utf-8";

export async function handleJmapRequest(
  ctx: HttpRequestContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname;
  const method = req.method ?? "GET";
  if (path === "/.well-known/jmap") {
    if (!allowMethods(res, method, ["GET", "HEAD"])) return;
    const account = await authenticate(ctx, req, res);
    if (account === null) return;
    const shared = await listSharedAccounts(ctx.deps.store, account);
    sendJson(res, 200, sessionResource(account, ctx.limits, originOf(req, ctx.isTls), shared));
    return;
  }
  if (path === TOKEN_PATH) {
    await serveToken(ctx, method, req, res);
    return;
  }
  if (path === API_PATH) {
    if (!allowMethods(res, method, ["POST"])) return;
    const account = await authenticate(ctx, req, res);
    if (account === null) return;
    await serveApi(ctx, account, req, res);
    return;
  }
  if (path.startsWith(`${DOWNLOAD_PATH}/`)) {
    if (!allowMethods(res, method, ["GET", "HEAD"])) return;
    const account = await authenticate(ctx, req, res);
    if (account === null) return;
    await serveDownload(
      ctx,
      account,
      path.slice(DOWNLOAD_PATH.length + 1),
      url.searchParams.get("accept"),
      res,
    );
    return;
  }
  if (path.startsWith(`${UPLOAD_PATH}/`)) {
    if (!allowMethods(res, method, ["POST"])) return;
    const account = await authenticate(ctx, req, res);
    if (account === null) return;
    const accountId = path.slice(UPLOAD_PATH.length + 1).replace(/\/$/, "");
    const outcome = await receiveUpload(
      { store: ctx.deps.store, limits: ctx.limits, uploadLimiter: ctx.uploadLimiter },
      account,
      accountId,
      req,
    );
    if (outcome.status === 201) sendJson(res, 201, outcome.body);
    else {
      // The rest of a refused body is not read: this connection cannot carry another request.
      res.shouldKeepAlive = false;
      sendProblem(res, outcome.status, outcome.body);
    }
    return;
  }
  if (path === EVENT_SOURCE_PATH || path === `${EVENT_SOURCE_PATH}/`) {
    if (!allowMethods(res, method, ["GET"])) return;
    const account = await authenticate(ctx, req, res);
    if (account === null) return;
    const request = parseEventSourceQuery(url.searchParams);
    if (typeof request === "string") {
      sendProblem(res, 400, { type: "about:blank", title: "Bad Request", status: 400, detail: request });
      return;
    }
    ctx.useLongIdleTimeout();
    await serveEventSource(
      {
        store: ctx.deps.store,
        log: ctx.log,
        closing: ctx.closing,
        ...(ctx.deps.sessions ? { sessions: ctx.deps.sessions } : {}),
      },
      account,
      request,
      res,
    );
    return;
  }
  if (ctx.site !== null && StaticSite.isSitePath(path)) {
    if (!allowMethods(res, method, ["GET", "HEAD"])) return;
    await ctx.site.serve(path, req, res);
    return;
  }
  sendProblem(res, 404, {
    type: "about:blank",
    title: "Not Found",
    status: 404,
    detail: `No resource at ${path}`,
  });
}

function allowMethods(res: ServerResponse, method: string, allowed: readonly string[]): boolean {
  if (allowed.includes(method)) return true;
  res.setHeader("allow", allowed.join(", "));
  sendProblem(res, 405, { type: "about:blank", title: "Method Not Allowed", status: 405 });
  return false;
}

/** The path of the bearer-token login (POST with Basic credentials) and logout (DELETE with the token). */
export const TOKEN_PATH = "/jmap/token";

async function serveToken(
  ctx: HttpRequestContext,
  method: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!allowMethods(res, method, ["POST", "DELETE"])) return;
  if (method === "DELETE") {
    const token = parseBearerAuthorization(req.headers.authorization);
    if (token === null || !ctx.tokens.revoke(token)) {
      res.setHeader("www-authenticate", 'Bearer realm="Postfach", error="invalid_token"');
      sendProblem(res, 401, {
        type: "about:blank",
        title: "Unauthorized",
        status: 401,
        detail: "No such token",
      });
      return;
    }
    res.writeHead(204);
    res.end();
    return;
  }
  // Only a password login issues a token: a token cannot extend itself.
  if (parseBasicAuthorization(req.headers.authorization) === null) {
    res.setHeader("www-authenticate", BASIC_CHALLENGE);
    sendProblem(res, 401, {
      type: "about:blank",
      title: "Unauthorized",
      status: 401,
      detail: "HTTP Basic credentials are required",
    });
    return;
  }
  const account = await authenticate(ctx, req, res);
  if (account === null) return;
  const issued = ctx.tokens.issue(account.id);
  sendJson(res, 200, {
    access_token: issued.token,
    token_type: "Bearer",
    expires_in: Math.round(ctx.tokens.lifetimeMs / 1000),
  });
}

/**
 * The account of the request's bearer token or Basic credentials, or null after answering 401/403.
 * Either is a credential, so both need TLS or what [auth] plaintext_auth allows.
 */
async function authenticate(
  ctx: HttpRequestContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<AccountRecord | null> {
  const bearer = parseBearerAuthorization(req.headers.authorization);
  if (bearer !== null) {
    if (!isPlaintextAuthAllowed(ctx.plaintextAuth, ctx.isTls, ctx.remoteAddress)) {
      sendProblem(res, 403, {
        type: "about:blank",
        title: "Forbidden",
        status: 403,
        detail: "Tokens are accepted over HTTPS only",
      });
      return null;
    }
    const accountId = ctx.tokens.verify(bearer);
    const account = accountId === null ? undefined : await ctx.deps.store.accounts.get(accountId);
    if (account === undefined) {
      res.setHeader("www-authenticate", 'Bearer realm="Postfach", error="invalid_token"');
      sendProblem(res, 401, {
        type: "about:blank",
        title: "Unauthorized",
        status: 401,
        detail: "The token is unknown, revoked or expired",
      });
      return null;
    }
    return account;
  }
  const credentials = parseBasicAuthorization(req.headers.authorization);
  if (credentials === null) {
    res.setHeader("www-authenticate", BASIC_CHALLENGE);
    sendProblem(res, 401, {
      type: "about:blank",
      title: "Unauthorized",
      status: 401,
      detail: "HTTP Basic credentials are required",
    });
    return null;
  }
  if (!isPlaintextAuthAllowed(ctx.plaintextAuth, ctx.isTls, ctx.remoteAddress)) {
    sendProblem(res, 403, {
      type: "about:blank",
      title: "Forbidden",
      status: 403,
      detail: "Passwords are accepted over HTTPS only",
    });
    return null;
  }
  try {
    return await ctx.deps.authenticator.authenticate(credentials, {
      remoteAddress: ctx.remoteAddress,
      protocol: "http",
      mechanism: "BASIC",
    });
  } catch (error) {
    if (!isMailError(error) || error.code !== "authFailed") throw error;
    res.setHeader("www-authenticate", BASIC_CHALLENGE);
    sendProblem(res, 401, {
      type: "about:blank",
      title: "Unauthorized",
      status: 401,
      detail: "Authentication failed",
    });
    return null;
  }
}

async function serveApi(
  ctx: HttpRequestContext,
  account: AccountRecord,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!ctx.requestLimiter.tryAcquire(account.id)) {
    const problem = new RequestProblem(
      "limit",
      400,
      `At most ${ctx.limits.maxConcurrentRequests} requests at once`,
      "maxConcurrentRequests",
    );
    sendProblem(res, problem.status, problem.toJSON());
    return;
  }
  try {
    const body = await readBody(req, ctx.limits.maxSizeRequest);
    if (body.kind === "tooLarge") {
      const problem = new RequestProblem(
        "limit",
        413,
        `The request is larger than ${ctx.limits.maxSizeRequest} bytes`,
        "maxSizeRequest",
      );
      // The rest of the body is not read: this connection cannot carry another request.
      res.shouldKeepAlive = false;
      sendProblem(res, problem.status, problem.toJSON());
      return;
    }
    const response = await runApiRequest(
      {
        services: ctx.deps,
        account,
        limits: ctx.limits,
        log: ctx.log,
        sessionState: sessionStateOf(account, ctx.limits, await listSharedAccounts(ctx.deps.store, account)),
        remoteAddress: ctx.remoteAddress,
      },
      body.bytes,
    );
    sendJson(res, 200, response);
  } catch (error) {
    if (!(error instanceof RequestProblem)) throw error;
    sendProblem(res, error.status, error.toJSON());
  } finally {
    ctx.requestLimiter.release(account.id);
  }
}

/** RFC 8620 §6.2: /download/{accountId}/{blobId}/{name}?accept={type}. */
async function serveDownload(
  ctx: HttpRequestContext,
  account: AccountRecord,
  rest: string,
  accept: string | null,
  res: ServerResponse,
): Promise<void> {
  const [accountId, blobId, ...nameParts] = rest.split("/");
  const name = safeDecode(nameParts.join("/")) ?? "download";
  const parsed = blobId === undefined ? null : parseBlobId(blobId);
  const email =
    accountId !== undefined && parsed !== null
      ? await findDownloadEmail(ctx.deps, ctx.limits, account, accountId, parsed.emailId)
      : undefined;
  if (email === undefined || parsed === null) {
    sendProblem(res, 404, { type: "about:blank", title: "Not Found", status: 404, detail: "No such blob" });
    return;
  }
  let bytes: Uint8Array;
  let type = "message/rfc822";
  if (parsed.section === null) bytes = await ctx.deps.messages.readAll(email.blobHash);
  else {
    const part = findSection(locateParts(email.index.root), parsed.section);
    if (part === null) {
      sendProblem(res, 404, { type: "about:blank", title: "Not Found", status: 404, detail: "No such blob" });
      return;
    }
    bytes = decodedPartBytes(await ctx.deps.messages.readAll(email.blobHash), part.node);
    type = `${part.node.type}/${part.node.subtype}`;
  }
  const contentType =
    accept !== null && /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i.test(accept) ? accept : type;
  res.writeHead(200, {
    "content-type": contentType,
    "content-length": bytes.length,
    "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
    // RFC 8620 §6.2: blobs are immutable, so downloads may be cached by the client.
    "cache-control": "private, immutable, max-age=604800",
  });
  res.end(res.req.method === "HEAD" ? undefined : bytes);
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** The origin the client used: scheme from the socket, host from the Host header (checked). */
function originOf(req: IncomingMessage, isTls: boolean): string {
  const host = req.headers.host;
  const safeHost = host !== undefined && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? host : "localhost";
  return `${isTls ? "https" : "http"}://${safeHost}`;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": JSON_TYPE,
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-cache, no-store, must-revalidate",
  });
  res.end(res.req.method === "HEAD" ? undefined : text);
}

function sendProblem(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": PROBLEM_TYPE, "content-length": Buffer.byteLength(text) });
  res.end(text);
}
