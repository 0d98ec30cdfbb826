// A small JMAP client (RFC 8620): bearer-token login at /jmap/token, the session resource, API calls
// batched into one request, blob upload and download. The token is the only credential kept (in
// sessionStorage, so a reload of the tab stays logged in and closing it logs out).
import type { Session } from "./types.js";

const TOKEN_KEY = "postfach.token";
export const USING = [
  "urn:ietf:params:jmap:core",
  "urn:ietf:params:jmap:mail",
  "urn:ietf:params:jmap:submission",
] as const;

export type Invocation = [name: string, args: Record<string, unknown>, callId: string];

export class JmapError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown when the token is no longer accepted: the app goes back to the login page. */
export class SessionExpired extends Error {}

export class JmapClient {
  private constructor(
    readonly token: string,
    readonly session: Session,
  ) {}

  get accountId(): string {
    return this.session.accountId;
  }

  /** Exchanges a password for a bearer token (POST /jmap/token with Basic credentials). */
  static async login(username: string, password: string): Promise<JmapClient> {
    const response = await fetch("/jmap/token", {
      method: "POST",
      headers: { authorization: `Basic ${base64Utf8(`${username}:${password}`)}` },
    });
    if (response.status === 401) throw new JmapError("authFailed", "Wrong address or password.");
    if (!response.ok) {
      // 403: passwords over plain HTTP from another host; 429 and others: the server's own words.
      const problem = (await response.json().catch(() => ({}))) as { detail?: string };
      throw new JmapError("loginFailed", problem.detail ?? `Login failed (${response.status}).`);
    }
    const body = (await response.json()) as { access_token: string };
    const client = await JmapClient.withToken(body.access_token);
    sessionStorage.setItem(TOKEN_KEY, body.access_token);
    return client;
  }

  /** The client of the token this tab logged in with, or null. */
  static async resume(): Promise<JmapClient | null> {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token === null) return null;
    try {
      return await JmapClient.withToken(token);
    } catch {
      sessionStorage.removeItem(TOKEN_KEY);
      return null;
    }
  }

  private static async withToken(token: string): Promise<JmapClient> {
    const response = await fetch("/.well-known/jmap", { headers: { authorization: `Bearer ${token}` } });
    if (response.status === 401) throw new SessionExpired("The session has expired.");
    if (!response.ok) throw new JmapError("sessionFailed", `No JMAP session (${response.status}).`);
    const body = (await response.json()) as {
      username: string;
      apiUrl: string;
      downloadUrl: string;
      uploadUrl: string;
      eventSourceUrl: string;
      capabilities: Record<string, unknown>;
      primaryAccounts: Record<string, string>;
    };
    const accountId = body.primaryAccounts["urn:ietf:params:jmap:mail"];
    if (accountId === undefined) throw new JmapError("sessionFailed", "The account has no mail.");
    // The session's URLs name the host the server saw; the webmail always talks to its own origin.
    const local = (url: string): string => {
      const parsed = new URL(url, location.origin);
      return `${parsed.pathname}${parsed.search}`.replaceAll("%7B", "{").replaceAll("%7D", "}");
    };
    return new JmapClient(token, {
      accountId,
      username: body.username,
      apiUrl: local(body.apiUrl),
      downloadUrl: local(body.downloadUrl),
      uploadUrl: local(body.uploadUrl),
      eventSourceUrl: local(body.eventSourceUrl),
      capabilities: body.capabilities,
    });
  }

  get authorization(): string {
    return `Bearer ${this.token}`;
  }

  async logout(): Promise<void> {
    sessionStorage.removeItem(TOKEN_KEY);
    await fetch("/jmap/token", { method: "DELETE", headers: { authorization: this.authorization } }).catch(
      () => undefined,
    );
  }

  /** Sends the calls as one request; answers the method responses in order (errors included). */
  async request(calls: readonly Invocation[]): Promise<Invocation[]> {
    const response = await fetch(this.session.apiUrl, {
      method: "POST",
      headers: { authorization: this.authorization, "content-type": "application/json" },
      body: JSON.stringify({ using: USING, methodCalls: calls }),
    });
    if (response.status === 401) throw new SessionExpired("The session has expired.");
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as { detail?: string; type?: string };
      throw new JmapError(problem.type ?? "requestFailed", problem.detail ?? `HTTP ${response.status}`);
    }
    const body = (await response.json()) as { methodResponses: Invocation[] };
    return body.methodResponses;
  }

  /** One method call; a method error becomes a thrown JmapError. */
  async call<T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T> {
    const [response] = await this.request([[name, { accountId: this.accountId, ...args }, "0"]]);
    return resultOf<T>(response, name);
  }

  downloadUrl(blobId: string, name: string, type: string): string {
    return this.session.downloadUrl
      .replace("{accountId}", encodeURIComponent(this.accountId))
      .replace("{blobId}", encodeURIComponent(blobId))
      .replace("{name}", encodeURIComponent(name))
      .replace("{type}", encodeURIComponent(type));
  }

  async download(blobId: string, name: string, type: string): Promise<Blob> {
    const response = await fetch(this.downloadUrl(blobId, name, type), {
      headers: { authorization: this.authorization },
    });
    if (!response.ok) throw new JmapError("downloadFailed", `Download failed (${response.status}).`);
    return response.blob();
  }

  async upload(data: Blob, type: string): Promise<{ blobId: string; type: string; size: number }> {
    const response = await fetch(this.session.uploadUrl.replace("{accountId}", this.accountId), {
      method: "POST",
      headers: { authorization: this.authorization, "content-type": type || "application/octet-stream" },
      body: data,
    });
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as { detail?: string };
      throw new JmapError("uploadFailed", problem.detail ?? `Upload failed (${response.status}).`);
    }
    return (await response.json()) as { blobId: string; type: string; size: number };
  }
}

/** The arguments of a method response, or a thrown JmapError when it is an error response. */
export function resultOf<T>(invocation: Invocation | undefined, name: string): T {
  if (invocation === undefined) throw new JmapError("serverFail", `No response to ${name}`);
  const [responseName, args] = invocation;
  if (responseName === "error") {
    throw new JmapError(String(args.type), String(args.description ?? args.type));
  }
  return args as T;
}

function base64Utf8(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
