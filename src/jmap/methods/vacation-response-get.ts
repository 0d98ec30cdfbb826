// VacationResponse/get (RFC 8621 §8.1): the account's one object, id "singleton".
import type { Args } from "../args.js";
import type { JmapContext } from "../jmap-context.js";
import { pick, readGetRequest } from "../standard-get.js";
import { readVacationResponse, VACATION_PROPERTIES, vacationStateOf } from "../vacation-response.js";

const KNOWN = new Set<string>(VACATION_PROPERTIES);

export async function vacationResponseGet(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  const request = readGetRequest(ctx, args, KNOWN, VACATION_PROPERTIES);
  const value = await readVacationResponse(ctx.services.store, ctx.account);
  const ids = request.ids ?? ["singleton"];
  const list = ids.includes("singleton") ? [pick({ id: "singleton", ...value }, request.properties)] : [];
  const notFound = ids.filter((id) => id !== "singleton");
  return { accountId: request.accountId, state: vacationStateOf(value), list, notFound };
}
