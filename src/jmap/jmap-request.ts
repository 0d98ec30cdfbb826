// The Request object (RFC 8620 §3.3): parsed from the body and checked against the request-level rules of
// §3.6.1 (notJSON, notRequest, unknownCapability, limit) before any method runs.
import { isPlainObject } from "./args.js";
import { KNOWN_CAPABILITIES } from "./capabilities.js";
import { RequestProblem } from "./jmap-error.js";

export interface MethodCall {
  readonly name: string;
  readonly args: Record<string, unknown>;
  readonly callId: string;
}

export interface JmapRequest {
  readonly using: ReadonlySet<string>;
  readonly methodCalls: readonly MethodCall[];
  /** Client creation ids → server ids (RFC 8620 §3.3), echoed back updated; absent when not given. */
  readonly createdIds: Record<string, string> | undefined;
}

/** Parses and checks a request body; throws RequestProblem with the RFC's type. */
export function parseJmapRequest(body: Uint8Array, maxCallsInRequest: number): JmapRequest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    throw new RequestProblem("notJSON", 400, "The request body is not valid UTF-8 JSON");
  }
  if (!isPlainObject(json)) throw notRequest("The request is not a JSON object");
  const { using, methodCalls, createdIds } = json;
  if (!Array.isArray(using) || !using.every((capability) => typeof capability === "string")) {
    throw notRequest('"using" must be a list of capability strings');
  }
  if (!Array.isArray(methodCalls)) throw notRequest('"methodCalls" must be a list of invocations');
  for (const key of Object.keys(json)) {
    if (key !== "using" && key !== "methodCalls" && key !== "createdIds") {
      throw notRequest(`Unknown request property "${key}"`);
    }
  }
  if (createdIds !== undefined && !isStringMap(createdIds)) {
    throw notRequest('"createdIds" must map creation ids to ids');
  }
  const unknown = (using as string[]).filter((capability) => !KNOWN_CAPABILITIES.has(capability));
  if (unknown.length > 0) {
    throw new RequestProblem(
      "unknownCapability",
      400,
      `The server does not support the capabilities ${unknown.map((c) => JSON.stringify(c)).join(", ")}`,
    );
  }
  // Checked before each invocation is looked at, so a huge request costs no more than counting it.
  if (methodCalls.length > maxCallsInRequest) {
    throw new RequestProblem(
      "limit",
      400,
      `The request has ${methodCalls.length} method calls; at most ${maxCallsInRequest} are allowed`,
      "maxCallsInRequest",
    );
  }
  const calls = methodCalls.map((invocation, position): MethodCall => {
    if (
      !Array.isArray(invocation) ||
      invocation.length !== 3 ||
      typeof invocation[0] !== "string" ||
      !isPlainObject(invocation[1]) ||
      typeof invocation[2] !== "string"
    ) {
      throw notRequest(`Method call ${position} is not a [name, arguments, callId] triple`);
    }
    return { name: invocation[0], args: invocation[1], callId: invocation[2] };
  });
  return {
    using: new Set(using as string[]),
    methodCalls: calls,
    createdIds: createdIds === undefined ? undefined : { ...(createdIds as Record<string, string>) },
  };
}

function notRequest(detail: string): RequestProblem {
  return new RequestProblem("notRequest", 400, detail);
}

function isStringMap(value: unknown): boolean {
  return isPlainObject(value) && Object.values(value).every((v) => typeof v === "string");
}
