// The shared shape of /get (RFC 8620 §5.1): accountId, ids (null = all), properties (null = defaults),
// the maxObjectsInGet limit, and a response of list + notFound + state.

import { requireAccount } from "./account-check.js";
import { type Args, checkKnownArgs, readIds, readProperties } from "./args.js";
import type { JmapContext } from "./jmap-context.js";
import { MethodError } from "./jmap-error.js";

export interface GetRequest {
  readonly accountId: string;
  readonly ids: readonly string[] | null;
  /** Always includes "id" (RFC 8620 §5.1: id is returned whatever properties asks). */
  readonly properties: readonly string[];
}

export function readGetRequest(
  ctx: JmapContext,
  args: Args,
  known: { has(property: string): boolean },
  defaults: readonly string[],
  extraArgs: readonly string[] = [],
): GetRequest {
  checkKnownArgs(args, ["accountId", "ids", "properties", ...extraArgs]);
  const accountId = requireAccount(ctx, args);
  const ids = readIds(args, "ids");
  if (ids !== null && ids.length > ctx.limits.maxObjectsInGet) {
    throw new MethodError("requestTooLarge", `At most ${ctx.limits.maxObjectsInGet} ids per /get`);
  }
  const properties = readProperties(args, "properties", known) ?? defaults;
  return {
    accountId,
    ids: ids === null ? null : [...new Set(ids)],
    properties: ["id", ...properties.filter((p) => p !== "id")],
  };
}

/** Keeps only the asked properties of a full object. */
export function pick(
  object: Readonly<Record<string, unknown>>,
  properties: readonly string[],
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const property of properties) if (property in object) result[property] = object[property];
  return result;
}
