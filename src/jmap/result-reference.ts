// Result references (RFC 8620 §3.7): an argument "#name" whose value {resultOf, name, path} is replaced
// by the value the JSON Pointer (RFC 6901, with the `*` array wildcard of §3.7) selects from an earlier
// response of this request.
import { isPlainObject } from "./args.js";
import { MethodError } from "./jmap-error.js";

/** One earlier method response of this request: name, arguments, call id. */
export type Invocation = readonly [string, Record<string, unknown>, string];

const invalidReference = (description: string): MethodError =>
  new MethodError("invalidResultReference", description);

/** The arguments with every "#x" key resolved to "x"; throws invalidResultReference or invalidArguments. */
export function resolveResultReferences(
  args: Record<string, unknown>,
  responses: readonly Invocation[],
): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (!key.startsWith("#")) continue;
    const name = key.slice(1);
    if (Object.hasOwn(args, name)) {
      throw new MethodError("invalidArguments", `Both "${name}" and "${key}" are given`);
    }
    resolved[name] = resolveOne(value, responses);
  }
  for (const [key, value] of Object.entries(args)) if (!key.startsWith("#")) resolved[key] = value;
  return resolved;
}

function resolveOne(reference: unknown, responses: readonly Invocation[]): unknown {
  if (
    !isPlainObject(reference) ||
    typeof reference.resultOf !== "string" ||
    typeof reference.name !== "string" ||
    typeof reference.path !== "string"
  ) {
    throw invalidReference("A result reference needs resultOf, name and path strings");
  }
  const { resultOf, name, path } = reference;
  const response = responses.find((invocation) => invocation[2] === resultOf);
  if (response === undefined) throw invalidReference(`No earlier response has the call id "${resultOf}"`);
  if (response[0] !== name) {
    throw invalidReference(`The response "${resultOf}" is ${response[0]}, not ${name}`);
  }
  return evaluatePointer(response[1], path);
}

/**
 * RFC 8620 §3.7: an RFC 6901 JSON Pointer where a `*` token applied to an array maps the rest of the
 * pointer over every item, flattening items that are arrays themselves.
 */
export function evaluatePointer(value: unknown, path: string): unknown {
  if (path === "") return value;
  if (!path.startsWith("/")) throw invalidReference(`The path "${path}" is not a JSON Pointer`);
  const tokens = path
    .slice(1)
    .split("/")
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
  return walk(value, tokens, path);
}

function walk(value: unknown, tokens: readonly string[], path: string): unknown {
  if (tokens.length === 0) return value;
  const [token, ...rest] = tokens as [string, ...string[]];
  if (Array.isArray(value)) {
    if (token === "*") {
      return value.flatMap((item) => {
        const inner = walk(item, rest, path);
        return Array.isArray(inner) ? inner : [inner];
      });
    }
    if (!/^(0|[1-9][0-9]*)$/.test(token) || Number(token) >= value.length) {
      throw invalidReference(`The path "${path}" does not exist in the result`);
    }
    return walk(value[Number(token)], rest, path);
  }
  if (isPlainObject(value) && Object.hasOwn(value, token)) return walk(value[token], rest, path);
  throw invalidReference(`The path "${path}" does not exist in the result`);
}
