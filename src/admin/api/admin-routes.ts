// The admin HTTP API's operations (docs/admin-api.json, docs/operations.md "Admin HTTP API"): the same
// use cases as the CLI (users, quota, retention, kick, domains, aliases, stats, doctor) as a table of
// routes, so the server, its OpenAPI document and the test that compares them share one list.
import type { SessionRegistry } from "../../auth/session-registry.js";
import { MailError } from "../../kit/mail-error.js";
import type { MailboxService } from "../../mail/mailbox-service.js";
import type { MessageService } from "../../mail/message-service.js";
import type { MailStore } from "../../store/mail-store.js";
import { DomainAdmin } from "../domain-admin.js";
import { expungeOlderThan, parseAge } from "../retention.js";
import { collectStats } from "../stats.js";
import type { UserAdmin } from "../user-admin.js";

export interface AdminApiDeps {
  readonly store: MailStore;
  readonly mailboxes: MailboxService;
  readonly messages: MessageService;
  readonly users: UserAdmin;
  /** The running server's sessions, for kick (and for ending a renamed account's sessions). */
  readonly sessions: SessionRegistry;
  /** `postfach doctor`'s store check (store-verification.ts, wired by main: admin sees no backend module). */
  verifyStore(): Promise<{ readonly damaged: readonly unknown[]; readonly wrongCounts: readonly unknown[] }>;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** What a handler answers: a status and a JSON body (none for 204). */
export interface AdminReply {
  readonly status: number;
  readonly body?: unknown;
}

export interface AdminRequest {
  /** Path parameters by name (`{address}` → params.address), decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The parsed JSON body (an object), or {} when there is none. */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface AdminRoute {
  readonly method: HttpMethod;
  /** OpenAPI path template: `/api/v1/users/{address}`. */
  readonly path: string;
  handle(deps: AdminApiDeps, request: AdminRequest): Promise<AdminReply>;
}

const ok = (body: unknown): AdminReply => ({ status: 200, body });
const created = (body: unknown): AdminReply => ({ status: 201, body });
const noContent: AdminReply = { status: 204 };

function stringField(body: AdminRequest["body"], name: string): string {
  const value = body[name];
  if (typeof value !== "string" || value === "")
    throw new MailError("invalidInput", `"${name}" must be a non-empty string`);
  return value;
}

function optionalString(body: AdminRequest["body"], name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new MailError("invalidInput", `"${name}" must be a string`);
  return value;
}

/** A quota limit: a non-negative integer, or null for none; absent keeps `current`. */
function limitField(body: AdminRequest["body"], name: string, current: number | null): number | null {
  if (!(name in body)) return current;
  const value = body[name];
  if (value === null) return null;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw new MailError("invalidInput", `"${name}" must be a non-negative integer or null`);
  return value === 0 ? null : value;
}

const param = (request: AdminRequest, name: string): string => request.params[name] ?? "";

function accountJson(a: {
  address: string;
  messageCount: number;
  usedBytes: number;
  quota: { storageBytes: number | null; messages: number | null };
  createdAtMs: number;
}) {
  return {
    address: a.address,
    messages: a.messageCount,
    usedBytes: a.usedBytes,
    quota: a.quota,
    createdAt: new Date(a.createdAtMs).toISOString(),
  };
}

async function kickAccount(deps: AdminApiDeps, address: string): Promise<number> {
  const account = await deps.users.require(address);
  return deps.sessions.kick(account.id);
}

export const ADMIN_ROUTES: readonly AdminRoute[] = [
  {
    method: "GET",
    path: "/api/v1/users",
    handle: async (deps) => ok((await deps.users.list()).map(accountJson)),
  },
  {
    method: "POST",
    path: "/api/v1/users",
    handle: async (deps, { body }) => {
      const address = stringField(body, "address");
      const hash = optionalString(body, "passwordHash");
      const account =
        hash === undefined
          ? await deps.users.add(address, stringField(body, "password"))
          : await deps.users.addWithHash(address, hash);
      return created(accountJson(account));
    },
  },
  {
    method: "GET",
    path: "/api/v1/users/{address}",
    handle: async (deps, request) => ok(accountJson(await deps.users.require(param(request, "address")))),
  },
  {
    method: "DELETE",
    path: "/api/v1/users/{address}",
    handle: async (deps, request) => {
      const address = param(request, "address");
      await kickAccount(deps, address);
      await deps.users.delete(address);
      return noContent;
    },
  },
  {
    method: "POST",
    path: "/api/v1/users/{address}/rename",
    handle: async (deps, request) => {
      const account = await deps.users.rename(
        param(request, "address"),
        stringField(request.body, "newAddress"),
      );
      // Sessions logged in under the old address would keep it: they log in again under the new one.
      const kicked = await deps.sessions.kick(account.id);
      return ok({ ...accountJson(account), sessionsEnded: kicked });
    },
  },
  {
    method: "PUT",
    path: "/api/v1/users/{address}/password",
    handle: async (deps, request) => {
      const address = param(request, "address");
      const hash = optionalString(request.body, "passwordHash");
      if (hash === undefined) await deps.users.setPassword(address, stringField(request.body, "password"));
      else await deps.users.setPasswordHash(address, hash);
      return noContent;
    },
  },
  {
    method: "GET",
    path: "/api/v1/users/{address}/quota",
    handle: async (deps, request) => {
      const a = await deps.users.require(param(request, "address"));
      return ok({ address: a.address, usedBytes: a.usedBytes, messages: a.messageCount, quota: a.quota });
    },
  },
  {
    method: "PUT",
    path: "/api/v1/users/{address}/quota",
    handle: async (deps, request) => {
      const address = param(request, "address");
      const current = await deps.users.require(address);
      const a = await deps.users.setQuota(address, {
        storageBytes: limitField(request.body, "storageBytes", current.quota.storageBytes),
        messages: limitField(request.body, "messages", current.quota.messages),
      });
      return ok({ address: a.address, usedBytes: a.usedBytes, messages: a.messageCount, quota: a.quota });
    },
  },
  {
    method: "POST",
    path: "/api/v1/users/{address}/expunge",
    handle: async (deps, request) => {
      const account = await deps.users.require(param(request, "address"));
      const cutoffMs = Date.now() - parseAge(stringField(request.body, "olderThan"));
      const dryRun = request.body.dryRun === true;
      const results = await expungeOlderThan(deps, account.id, cutoffMs, {
        folder: optionalString(request.body, "folder"),
        dryRun,
      });
      return ok({ dryRun, results });
    },
  },
  {
    method: "POST",
    path: "/api/v1/users/{address}/kick",
    handle: async (deps, request) =>
      ok({ sessionsEnded: await kickAccount(deps, param(request, "address")) }),
  },
  {
    method: "GET",
    path: "/api/v1/domains",
    handle: async (deps) => ok(await new DomainAdmin(deps.store).listDomains()),
  },
  {
    method: "POST",
    path: "/api/v1/domains",
    handle: async (deps, { body }) =>
      created(await new DomainAdmin(deps.store).addDomain(stringField(body, "name"))),
  },
  {
    method: "DELETE",
    path: "/api/v1/domains/{name}",
    handle: async (deps, request) => {
      await new DomainAdmin(deps.store).deleteDomain(param(request, "name"));
      return noContent;
    },
  },
  {
    method: "GET",
    path: "/api/v1/aliases",
    handle: async (deps, { query }) =>
      ok(await new DomainAdmin(deps.store).listAliases(query.get("domain") ?? undefined)),
  },
  {
    method: "POST",
    path: "/api/v1/aliases",
    handle: async (deps, { body }) => {
      const targets = body.targets;
      if (!Array.isArray(targets) || !targets.every((t) => typeof t === "string"))
        throw new MailError("invalidInput", '"targets" must be an array of addresses');
      return created(await new DomainAdmin(deps.store).addAlias(stringField(body, "address"), targets));
    },
  },
  {
    method: "DELETE",
    path: "/api/v1/aliases/{address}",
    handle: async (deps, request) => {
      await new DomainAdmin(deps.store).removeAlias(
        param(request, "address"),
        request.query.get("target") ?? undefined,
      );
      return noContent;
    },
  },
  {
    method: "GET",
    path: "/api/v1/stats",
    handle: async (deps) => ok(await collectStats(deps)),
  },
  {
    method: "GET",
    path: "/api/v1/doctor",
    handle: async (deps) => {
      const report = await deps.verifyStore();
      return ok({ ...report, isHealthy: report.damaged.length === 0 && report.wrongCounts.length === 0 });
    },
  },
];
