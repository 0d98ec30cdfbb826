// Runs one JMAP API request (RFC 8620 §3.3-3.6): parse and check it, then each method call in order,
// resolving result references against the responses so far. A failing call yields an "error" response
// and the next call still runs; unexpected failures become serverFail with an id, details in the log.
import { randomBytes } from "node:crypto";
import type { Logger } from "../kit/logger.js";
import { isMailError } from "../kit/mail-error.js";
import type { AccountRecord } from "../store/mail-store.js";
import type { JmapLimits } from "./capabilities.js";
import { METHOD_ERROR_OF } from "./error-mapping.js";
import { type JmapContext, type JmapServices, jmapAccountId } from "./jmap-context.js";
import { MethodError } from "./jmap-error.js";
import { parseJmapRequest } from "./jmap-request.js";
import { findMethod } from "./method-registry.js";
import { type Invocation, resolveResultReferences } from "./result-reference.js";
import { contextForAccount, SHARED_ACCOUNT_METHODS } from "./shared-accounts.js";

export interface ApiRequestInput {
  readonly services: JmapServices;
  readonly account: AccountRecord;
  readonly limits: JmapLimits;
  readonly log: Logger;
  /** The session resource's state, echoed as sessionState. */
  readonly sessionState: string;
  /** The client's IP address (in the Received field of a message it submits). */
  readonly remoteAddress: string;
}

/** The Response object; throws RequestProblem for request-level errors. */
export async function runApiRequest(
  input: ApiRequestInput,
  body: Uint8Array,
): Promise<Record<string, unknown>> {
  const request = parseJmapRequest(body, input.limits.maxCallsInRequest);
  const ctx: JmapContext = {
    services: input.services,
    account: input.account,
    limits: input.limits,
    using: request.using,
    remoteAddress: input.remoteAddress,
    createdIds: new Map(Object.entries(request.createdIds ?? {})),
    implicitResponses: [],
  };
  const responses: Invocation[] = [];
  for (const call of request.methodCalls) {
    responses.push(await runCall(ctx, call.name, call.args, call.callId, responses, input.log));
    for (const [name, args] of ctx.implicitResponses.splice(0)) responses.push([name, args, call.callId]);
  }
  return {
    methodResponses: responses,
    ...(request.createdIds === undefined ? {} : { createdIds: Object.fromEntries(ctx.createdIds) }),
    sessionState: input.sessionState,
  };
}

async function runCall(
  ctx: JmapContext,
  name: string,
  rawArgs: Record<string, unknown>,
  callId: string,
  responses: readonly Invocation[],
  log: Logger,
): Promise<Invocation> {
  try {
    const method = findMethod(name);
    // RFC 8620 §3.6.2: a method of a capability the request did not `use` is unknown to it.
    if (method === undefined || !ctx.using.has(method.capability)) {
      throw new MethodError("unknownMethod", `Unknown method ${name}`);
    }
    const args = resolveResultReferences(rawArgs, responses);
    return [name, await method.run(await contextFor(ctx, name, args), args), callId];
  } catch (error) {
    return ["error", toMethodError(error, name, log).toJSON(), callId];
  }
}

/** The context of a call naming another user's account shared with this user (shared-accounts.ts). */
async function contextFor(
  ctx: JmapContext,
  name: string,
  args: Record<string, unknown>,
): Promise<JmapContext> {
  const { accountId } = args;
  if (typeof accountId !== "string" || accountId === jmapAccountId(ctx.account)) return ctx;
  const shared = await contextForAccount(ctx, accountId);
  // Unknown ids fall through to the method's own accountNotFound.
  if (shared === undefined) return ctx;
  if (!SHARED_ACCOUNT_METHODS.has(name)) {
    throw new MethodError("accountNotSupportedByMethod", `${name} does not work on shared accounts yet`);
  }
  return shared;
}

function toMethodError(error: unknown, method: string, log: Logger): MethodError {
  if (error instanceof MethodError) return error;
  if (isMailError(error) && error.code !== "serverBug")
    return new MethodError(METHOD_ERROR_OF[error.code], error.publicText);
  const id = randomBytes(6).toString("hex");
  log.error({ err: error, method, errorId: id }, "JMAP method failed");
  return new MethodError("serverFail", `Internal error ${id}`);
}
