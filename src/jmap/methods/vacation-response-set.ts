// VacationResponse/set (RFC 8621 §8.2, RFC 8620 §5.3): only the singleton may be updated; create and
// destroy are refused with the "singleton" SetError. Properties are checked before anything is written.
import { requireAccount } from "../account-check.js";
import { type Args, checkKnownArgs, isPlainObject, readString } from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { invalidArguments, MethodError, type SetError } from "../jmap-error.js";
import {
  isUtcDate,
  MAX_VACATION_BYTES,
  readVacationResponse,
  type VacationResponse,
  vacationStateOf,
  writeVacationResponse,
} from "../vacation-response.js";

const SETTABLE = new Set(["isEnabled", "fromDate", "toDate", "subject", "textBody", "htmlBody"]);

export async function vacationResponseSet(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  checkKnownArgs(args, ["accountId", "ifInState", "create", "update", "destroy"]);
  const accountId = requireAccount(ctx, args);
  const ifInState = readString(args, "ifInState");
  const create = args.create ?? null;
  const update = args.update ?? null;
  const destroy = args.destroy ?? null;
  if (create !== null && !isPlainObject(create)) throw invalidArguments('"create" must be an object');
  if (update !== null && !isPlainObject(update)) throw invalidArguments('"update" must be an object');
  if (destroy !== null && !(Array.isArray(destroy) && destroy.every((id) => typeof id === "string")))
    throw invalidArguments('"destroy" must be a list of ids');

  const store = ctx.services.store;
  const before = await readVacationResponse(store, ctx.account);
  const oldState = vacationStateOf(before);
  if (ifInState !== undefined && ifInState !== oldState)
    throw new MethodError("stateMismatch", "The VacationResponse changed since that state");

  const singleton = (): SetError => ({
    type: "singleton",
    description: "There is exactly one VacationResponse",
  });
  const notCreated: Record<string, SetError> = {};
  for (const id of Object.keys(create ?? {})) notCreated[id] = singleton();
  const notDestroyed: Record<string, SetError> = {};
  for (const id of (destroy ?? []) as string[]) notDestroyed[id] = singleton();
  const updated: Record<string, null> = {};
  const notUpdated: Record<string, SetError> = {};
  let after = before;
  for (const [id, patch] of Object.entries(update ?? {})) {
    if (id !== "singleton") {
      notUpdated[id] = { type: "notFound" };
      continue;
    }
    const result = applyPatch(after, patch);
    if ("type" in result) notUpdated[id] = result;
    else {
      after = result;
      updated[id] = null;
    }
  }
  if (after !== before) await writeVacationResponse(store, ctx.account, after);
  const orNull = <T extends object>(map: T): T | null => (Object.keys(map).length === 0 ? null : map);
  return {
    accountId,
    oldState,
    newState: vacationStateOf(after),
    created: null,
    updated: orNull(updated),
    destroyed: null,
    notCreated: orNull(notCreated),
    notUpdated: orNull(notUpdated),
    notDestroyed: orNull(notDestroyed),
  };
}

function applyPatch(current: VacationResponse, patch: unknown): VacationResponse | SetError {
  if (!isPlainObject(patch)) return { type: "invalidPatch", description: "A patch must be an object" };
  const next: Record<string, unknown> = { ...current };
  const invalid: string[] = [];
  for (const [property, value] of Object.entries(patch)) {
    if (property === "id") {
      if (value !== "singleton") invalid.push(property);
      continue;
    }
    if (!SETTABLE.has(property)) {
      invalid.push(property);
      continue;
    }
    const isValid =
      property === "isEnabled"
        ? typeof value === "boolean"
        : property === "fromDate" || property === "toDate"
          ? value === null || isUtcDate(value)
          : value === null || typeof value === "string";
    if (isValid) next[property] = value;
    else invalid.push(property);
  }
  if (invalid.length > 0)
    return { type: "invalidProperties", description: "Wrong type or unknown property", properties: invalid };
  const result = next as unknown as VacationResponse;
  if (Buffer.byteLength(JSON.stringify(result)) > MAX_VACATION_BYTES)
    return { type: "tooLarge", description: `At most ${MAX_VACATION_BYTES} bytes of vacation text` };
  return result;
}
