// A small JMAP test client over real HTTP (node's fetch): Basic auth, the session resource, and API calls
// that return the raw Response so tests can check request-level problems too.
export const CORE = "urn:ietf:params:jmap:core";
export const MAIL = "urn:ietf:params:jmap:mail";

export type Invocation = [string, Record<string, unknown>, string];

export class JmapTestClient {
  constructor(
    readonly baseUrl: string,
    readonly username: string,
    readonly password: string,
  ) {}

  get authorization(): string {
    return `Basic ${Buffer.from(`${this.username}:${this.password}`).toString("base64")}`;
  }

  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(this.baseUrl + path, {
      ...init,
      headers: { authorization: this.authorization, ...(init.headers as Record<string, string> | undefined) },
    });
  }

  async session(): Promise<Record<string, unknown>> {
    const res = await this.fetch("/.well-known/jmap");
    if (res.status !== 200) throw new Error(`session: HTTP ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }

  async accountId(): Promise<string> {
    const session = await this.session();
    return (session.primaryAccounts as Record<string, string>)[MAIL] as string;
  }

  /** Posts a raw body to the API endpoint. */
  post(body: string | Uint8Array): Promise<Response> {
    return this.fetch("/jmap/api", { method: "POST", body, headers: { "content-type": "application/json" } });
  }

  /** Runs method calls and returns methodResponses (throws on a request-level problem). */
  async call(methodCalls: Invocation[], using: string[] = [CORE, MAIL]): Promise<Invocation[]> {
    const res = await this.post(JSON.stringify({ using, methodCalls }));
    const body = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200) throw new Error(`API: HTTP ${res.status} ${JSON.stringify(body)}`);
    return body.methodResponses as Invocation[];
  }

  /** One call's response arguments; throws if it was an error. */
  async one(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const [response] = await this.call([[name, args, "c0"]]);
    if (response === undefined || response[0] !== name)
      throw new Error(`${name}: ${JSON.stringify(response)}`);
    return response[1];
  }
}
