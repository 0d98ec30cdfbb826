// Identity/set (RFC 8621 §6.3): create an identity for one of the account's own addresses (else
// forbiddenFrom), update name, replyTo, bcc and signatures of any identity (email is immutable), destroy
// created ones (the account's own addresses stay: mayDelete false). Kept in jmap_objects (identity.ts).
import { randomBytes } from "node:crypto";
import { requireAccount } from "../account-check.js";
import { type Args, checkKnownArgs, isPlainObject, readString } from "../args.js";
import {
  IDENTITY_TYPE,
  type Identity,
  listIdentities,
  ownAddresses,
  type StoredIdentity,
} from "../identity.js";
import type { JmapContext } from "../jmap-context.js";
import { MethodError, type SetError } from "../jmap-error.js";
import { type EmailAddressValue, isWritableAddress } from "../message-writer.js";

const SETTABLE = new Set(["name", "replyTo", "bcc", "textSignature", "htmlSignature"]);
/** Bounds a stored identity (signatures included). */
const MAX_IDENTITY_BYTES = 64_000;

export async function identitySet(ctx: JmapContext, args: Args): Promise<Record<string, unknown>> {
  checkKnownArgs(args, ["accountId", "ifInState", "create", "update", "destroy"]);
  const accountId = requireAccount(ctx, args);
  const ifInState = readString(args, "ifInState");
  const create = readMap(args, "create");
  const update = readMap(args, "update");
  const destroy = args.destroy ?? [];
  if (!Array.isArray(destroy) || !destroy.every((id) => typeof id === "string")) {
    throw new MethodError("invalidArguments", '"destroy" must be a list of ids');
  }
  if (Object.keys(create).length + Object.keys(update).length + destroy.length > ctx.limits.maxObjectsInSet) {
    throw new MethodError("requestTooLarge", `At most ${ctx.limits.maxObjectsInSet} objects per /set`);
  }
  const before = await listIdentities(ctx);
  if (ifInState !== undefined && ifInState !== before.state) {
    throw new MethodError("stateMismatch", "The identities changed since ifInState");
  }
  const { jmapObjects } = ctx.services.store;
  const own = new Set((await ownAddresses(ctx)).map((a) => a.toLowerCase()));

  const created: Record<string, unknown> = {};
  const notCreated: Record<string, SetError> = {};
  for (const [creationId, object] of Object.entries(create)) {
    if (!isPlainObject(object)) {
      notCreated[creationId] = { type: "invalidProperties", description: "An Identity must be an object" };
      continue;
    }
    const { email, ...rest } = object;
    if (typeof email !== "string") {
      notCreated[creationId] = invalid("email", '"email" is required');
      continue;
    }
    if (!own.has(email.toLowerCase())) {
      notCreated[creationId] = {
        type: "forbiddenFrom",
        description: `${email} is not an address of this account (add an alias first)`,
      };
      continue;
    }
    const settings = readSettings(rest, {
      name: "",
      replyTo: null,
      bcc: null,
      textSignature: "",
      htmlSignature: "",
    });
    if ("type" in settings) {
      notCreated[creationId] = settings;
      continue;
    }
    const id = `J${randomBytes(12).toString("base64url")}`;
    await jmapObjects.put(ctx.account.id, IDENTITY_TYPE, id, JSON.stringify({ ...settings, email }));
    ctx.createdIds.set(creationId, id);
    created[creationId] = { id, mayDelete: true };
  }

  const byId = new Map<string, Identity>(before.identities.map((i) => [i.id, i]));
  const updated: Record<string, null> = {};
  const notUpdated: Record<string, SetError> = {};
  for (const [given, patch] of Object.entries(update)) {
    const id = given.startsWith("#") ? (ctx.createdIds.get(given.slice(1)) ?? given) : given;
    const current = byId.get(id) ?? (await listIdentities(ctx)).identities.find((i) => i.id === id);
    if (current === undefined) {
      notUpdated[given] = { type: "notFound" };
      continue;
    }
    if (!isPlainObject(patch)) {
      notUpdated[given] = { type: "invalidPatch", description: "A patch must be an object" };
      continue;
    }
    if (patch.email !== undefined && patch.email !== current.email) {
      notUpdated[given] = invalid("email", "The email of an identity cannot be changed");
      continue;
    }
    const { email: _email, ...rest } = patch;
    const settings = readSettings(rest, current);
    if ("type" in settings) {
      notUpdated[given] = settings;
      continue;
    }
    const stored = current.mayDelete ? { ...settings, email: current.email } : settings;
    await jmapObjects.put(ctx.account.id, IDENTITY_TYPE, id, JSON.stringify(stored));
    updated[given] = null;
  }

  const destroyed: string[] = [];
  const notDestroyed: Record<string, SetError> = {};
  for (const given of destroy as string[]) {
    const id = given.startsWith("#") ? (ctx.createdIds.get(given.slice(1)) ?? given) : given;
    const current = byId.get(id) ?? (id.startsWith("J") ? { mayDelete: true } : undefined);
    if (current === undefined) notDestroyed[given] = { type: "notFound" };
    else if (!current.mayDelete) {
      notDestroyed[given] = {
        type: "forbidden",
        description: "The identity of an own address cannot be deleted",
      };
    } else if (await jmapObjects.destroy(ctx.account.id, IDENTITY_TYPE, id)) destroyed.push(id);
    else notDestroyed[given] = { type: "notFound" };
  }
  const orNull = <T extends object>(value: T) => (Object.keys(value).length === 0 ? null : value);
  return {
    accountId,
    oldState: before.state,
    newState: (await listIdentities(ctx)).state,
    created: orNull(created),
    updated: orNull(updated),
    destroyed: destroyed.length === 0 ? null : destroyed,
    notCreated: orNull(notCreated),
    notUpdated: orNull(notUpdated),
    notDestroyed: orNull(notDestroyed),
  };
}

function invalid(property: string, description: string): SetError {
  return { type: "invalidProperties", description, properties: [property] };
}

/** The settings after applying `patch` to `base`, or a SetError naming the bad property. */
function readSettings(patch: Record<string, unknown>, base: StoredIdentity): StoredIdentity | SetError {
  const result: Record<string, unknown> = {
    name: base.name,
    replyTo: base.replyTo,
    bcc: base.bcc,
    textSignature: base.textSignature,
    htmlSignature: base.htmlSignature,
  };
  for (const [property, value] of Object.entries(patch)) {
    if (!SETTABLE.has(property)) {
      return invalid(
        property,
        property === "id" || property === "mayDelete"
          ? `"${property}" is set by the server`
          : `Unknown property "${property}"`,
      );
    }
    if (property === "replyTo" || property === "bcc") {
      const addresses = readAddresses(value);
      if (addresses === undefined)
        return invalid(property, `"${property}" must be null or a list of EmailAddress`);
      result[property] = addresses;
    } else {
      if (typeof value !== "string") return invalid(property, `"${property}" must be a string`);
      result[property] = value;
    }
  }
  if (Buffer.byteLength(JSON.stringify(result), "utf8") > MAX_IDENTITY_BYTES) {
    return { type: "tooLarge", description: `An identity is limited to ${MAX_IDENTITY_BYTES} bytes` };
  }
  return result as unknown as StoredIdentity;
}

function readAddresses(value: unknown): EmailAddressValue[] | null | undefined {
  if (value === null) return null;
  if (!Array.isArray(value)) return undefined;
  const addresses: EmailAddressValue[] = [];
  for (const address of value) {
    if (
      !isPlainObject(address) ||
      typeof address.email !== "string" ||
      !isWritableAddress(address.email) ||
      !(address.name === undefined || address.name === null || typeof address.name === "string")
    ) {
      return undefined;
    }
    addresses.push({ name: (address.name as string | null | undefined) ?? null, email: address.email });
  }
  return addresses;
}

function readMap(args: Args, name: string): Record<string, unknown> {
  const value = args[name];
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw new MethodError("invalidArguments", `"${name}" must be an object`);
  return value;
}
