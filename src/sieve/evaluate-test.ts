// Evaluates Sieve tests (RFC 5228 §5 address/allof/anyof/envelope/exists/false/header/not/size/true, RFC 5173
// body, RFC 5229 string, RFC 5232 hasflag, RFC 5260 date/currentdate with RFC 5260 §6 :index, RFC 5490
// mailboxexists, RFC 3685/5235 spamtest and virustest) against the message and envelope.

import { decodeEncodedWords } from "../mime/encoded-word.js";
import { type AddressPart, addressPart, headerAddresses, splitAddress } from "./address-part.js";
import type { SieveContext } from "./context.js";
import { datePart, parseHeaderDate, parseZone, type ZonedTime } from "./date-part.js";
import { type MatchBudget, type MatchOptions, type MatchResult, matchAny, type Relation } from "./match.js";
import { SieveRuntimeError } from "./sieve-error.js";
import type { ArgValue, ComparatorName, CompiledTest } from "./validator.js";

/** What a test needs of the running script. */
export interface TestEnv {
  readonly context: SieveContext;
  readonly separator: string;
  readonly localZoneOffsetMinutes: number;
  readonly now: Date;
  /** Expands variable references when the script required "variables". */
  expand(text: string): string;
  /** Sets ${0}..${n} after a successful :matches (RFC 5229 §3.2). */
  setMatchVariables(captures: readonly string[]): void;
  /** The value of a variable (hasflag with a variable list). */
  variableValue(name: string): string;
  /** The internal flags variable (RFC 5232 §3). */
  internalFlags(): readonly string[];
  /** The matching budget of the run. */
  readonly budget: MatchBudget;
  /** Runs a nested test (allof, anyof, not). */
  evaluate(test: CompiledTest): Promise<boolean>;
}

const ADDRESS_PARTS: readonly AddressPart[] = ["all", "localpart", "domain", "user", "detail"];

function list(env: TestEnv, value: ArgValue | undefined): string[] {
  if (value === undefined || typeof value === "number") return [];
  return (typeof value === "string" ? [value] : value).map((s) => env.expand(s));
}

function matchOptions(test: CompiledTest, budget: MatchBudget): MatchOptions {
  const comparator = String(test.tags.get("comparator") ?? "i;ascii-casemap").toLowerCase() as ComparatorName;
  for (const kind of ["count", "value"] as const) {
    const relation = test.tags.get(kind);
    if (typeof relation === "string")
      return { comparator, match: { kind, relation: relation.toLowerCase() as Relation }, budget };
  }
  const kind = test.tags.has("contains") ? "contains" : test.tags.has("matches") ? "matches" : "is";
  return { comparator, match: { kind }, budget };
}

function addressPartOf(test: CompiledTest): AddressPart {
  return ADDRESS_PARTS.find((p) => test.tags.has(p)) ?? "all";
}

/** Applies :index/:last (RFC 5260 §6) to the fields found; an index past the end selects nothing. */
function selectIndex<T>(test: CompiledTest, fields: readonly T[]): readonly T[] {
  const index = test.tags.get("index");
  if (typeof index !== "number") return fields;
  const at = test.tags.has("last") ? fields.length - index : index - 1;
  const field = fields[at];
  return at >= 0 && field !== undefined ? [field] : [];
}

function finish(env: TestEnv, result: MatchResult): boolean {
  if (result.isMatch && result.captures !== null) env.setMatchVariables(result.captures);
  return result.isMatch;
}

function headerFields(env: TestEnv, names: readonly string[]): string[] {
  return names.flatMap((name) => env.context.message.headerValues(name));
}

/** Evaluates one test; nested tests go back through env.evaluate. */
export async function evaluateTest(test: CompiledTest, env: TestEnv): Promise<boolean> {
  const ctx = env.context;
  const p = test.positional;
  switch (test.name) {
    case "true":
      return true;
    case "false":
      return false;
    case "not":
      return !(await env.evaluate(test.tests[0] as CompiledTest));
    case "allof":
      for (const t of test.tests) if (!(await env.evaluate(t))) return false;
      return true;
    case "anyof":
      for (const t of test.tests) if (await env.evaluate(t)) return true;
      return false;
    case "exists":
      return list(env, p[0]).every((name) => ctx.message.headerValues(name).length > 0);
    case "size": {
      const over = test.tags.get("over");
      if (typeof over === "number") return ctx.message.size > over;
      return ctx.message.size < (test.tags.get("under") as number);
    }
    case "header": {
      const values = selectIndex(test, headerFields(env, list(env, p[0]))).map((v) => decodeEncodedWords(v));
      return finish(env, matchAny(matchOptions(test, env.budget), values, list(env, p[1])));
    }
    case "address": {
      const part = addressPartOf(test);
      const fields = selectIndex(test, headerFields(env, list(env, p[0])));
      const values = fields
        .flatMap((v) => headerAddresses(v))
        .map((a) => addressPart(a, part, env.separator))
        .filter((v): v is string => v !== null);
      return finish(env, matchAny(matchOptions(test, env.budget), values, list(env, p[1])));
    }
    case "envelope": {
      const part = addressPartOf(test);
      const values: string[] = [];
      for (const name of list(env, p[0])) {
        const address =
          name.toLowerCase() === "from"
            ? ctx.envelope.from
            : name.toLowerCase() === "to"
              ? ctx.envelope.to
              : null;
        if (address === null) continue;
        // RFC 5228 §5.4: the null reverse-path is the empty string whatever the address part.
        if (address === "") values.push("");
        else {
          const value = addressPart(splitAddress(address), part, env.separator);
          if (value !== null) values.push(value);
        }
      }
      return finish(env, matchAny(matchOptions(test, env.budget), values, list(env, p[1])));
    }
    case "body":
      return finish(env, matchAny(matchOptions(test, env.budget), bodyTexts(test, env), list(env, p[0])));
    case "string": {
      const options = matchOptions(test, env.budget);
      let values = list(env, p[0]);
      // RFC 5229 §5: :count counts the strings that are not empty.
      if (options.match.kind === "count") values = values.filter((v) => v !== "");
      return finish(env, matchAny(options, values, list(env, p[1])));
    }
    case "hasflag": {
      const flags =
        test.omitted > 0
          ? [...env.internalFlags()]
          : list(env, p[0]).flatMap((name) => splitFlags([env.variableValue(name.toLowerCase())]));
      const keys = test.omitted > 0 ? list(env, p[0]) : list(env, p[1]);
      return finish(env, matchAny(matchOptions(test, env.budget), flags, keys));
    }
    case "date": {
      const name = env.expand(p[0] as string).toLowerCase();
      // RFC 5260 §4: a Received field's date is what follows its last semicolon.
      const fields = selectIndex(test, ctx.message.headerValues(name)).map((v) =>
        name === "received" ? v.slice(v.lastIndexOf(";") + 1) : v,
      );
      const zone = zoneArgument(test, env);
      const part = env.expand(p[1] as string);
      const values: string[] = [];
      for (const field of fields) {
        const time = parseHeaderDate(field);
        if (time === null) continue;
        const seen: ZonedTime = test.tags.has("originalzone")
          ? time
          : { epochMs: time.epochMs, offsetMinutes: zone ?? env.localZoneOffsetMinutes };
        const value = datePart(seen, part);
        if (value !== null) values.push(value);
      }
      return finish(env, matchAny(matchOptions(test, env.budget), values, list(env, p[2])));
    }
    case "currentdate": {
      const zone = zoneArgument(test, env);
      const value = datePart(
        { epochMs: env.now.getTime(), offsetMinutes: zone ?? env.localZoneOffsetMinutes },
        env.expand(p[0] as string),
      );
      return finish(
        env,
        matchAny(matchOptions(test, env.budget), value === null ? [] : [value], list(env, p[1])),
      );
    }
    case "mailboxexists": {
      for (const name of list(env, p[0])) {
        if (ctx.mailboxExists === undefined || !(await ctx.mailboxExists(name))) return false;
      }
      return true;
    }
    case "spamtest":
      return finish(
        env,
        matchAny(matchOptions(test, env.budget), [spamValue(ctx, test.tags.has("percent"))], list(env, p[0])),
      );
    case "virustest":
      return finish(env, matchAny(matchOptions(test, env.budget), [virusValue(ctx)], list(env, p[0])));
    default:
      throw new SieveRuntimeError(test.line, test.column, `unknown test '${test.name}'`);
  }
}

function zoneArgument(test: CompiledTest, env: TestEnv): number | null {
  const zone = test.tags.get("zone");
  if (typeof zone !== "string") return null;
  const minutes = parseZone(env.expand(zone));
  if (minutes === null) throw new SieveRuntimeError(test.line, test.column, `invalid time zone "${zone}"`);
  return minutes;
}

/** RFC 5173 §5: :raw is the undecoded body, :content the parts of the listed types, :text (default) the text parts. */
function bodyTexts(test: CompiledTest, env: TestEnv): string[] {
  const message = env.context.message;
  if (test.tags.has("raw")) return [message.rawBody()];
  const content = test.tags.get("content");
  const parts = message.bodyParts();
  if (content === undefined || content === true || typeof content === "number") {
    return parts.filter((part) => part.contentType.startsWith("text/")).map((part) => part.text);
  }
  const types = list(env, content).map((t) => t.toLowerCase());
  return parts
    .filter((part) =>
      types.some(
        (t) =>
          t === "" || t === part.contentType || (!t.includes("/") && part.contentType.startsWith(`${t}/`)),
      ),
    )
    .map((part) => part.text);
}

/** Splits flag strings into single flags, each once (RFC 5232 §3: a string may hold several, space-separated). */
export function splitFlags(strings: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const s of strings) {
    for (const flag of s.split(" ")) {
      if (flag === "" || seen.has(flag.toLowerCase())) continue;
      seen.add(flag.toLowerCase());
      out.push(flag);
    }
  }
  return out;
}

const SYSTEM_FLAGS = new Map(
  ["\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft"].map((f) => [f.toLowerCase(), f]),
);
/** RFC 9051 §9 flag-keyword: an atom, no atom-specials (parentheses, braces, space, controls, % * " \\ ]). */
const KEYWORD = /^[^(){ \x00-\x1f\x7f%*"\\\]\u0080-\uffff]+$/;

/**
 * The flags an action may store (RFC 5232 §5): system flags in their canonical spelling and valid keywords;
 * anything else (\Recent, "bad flag(") is dropped rather than handed to the store.
 */
export function storableFlags(flags: readonly string[]): string[] {
  const out: string[] = [];
  for (const flag of flags) {
    if (flag.startsWith("\\")) {
      const system = SYSTEM_FLAGS.get(flag.toLowerCase());
      if (system !== undefined) out.push(system);
    } else if (KEYWORD.test(flag)) out.push(flag);
  }
  return out;
}

/**
 * RFC 3685 §3 spamtest: "0" when no filter scored the message, else 1 (clean) to 10 (spam), from the score
 * and threshold a filter wrote (X-Spam-Score, X-Spam-Status "score=… required=…", SpamAssassin style);
 * with :percent (RFC 5235 §3.2) 0–100. A score of twice the threshold or more is certain spam.
 */
function spamValue(ctx: SieveContext, isPercent: boolean): string {
  const status = ctx.message.headerValues("x-spam-status")[0] ?? "";
  const scoreHeader = ctx.message.headerValues("x-spam-score")[0];
  const score = Number(
    /score=(-?[\d.]+)/i.exec(status)?.[1] ?? scoreHeader?.trim().split(/\s/)[0] ?? Number.NaN,
  );
  if (!Number.isFinite(score)) return "0";
  const threshold = Number(/required=(-?[\d.]+)/i.exec(status)?.[1] ?? 5) || 5;
  const percent = Math.round(Math.min(100, Math.max(0, (score / (2 * threshold)) * 100)));
  return isPercent ? String(percent) : String(1 + Math.round((percent * 9) / 100));
}

/** RFC 3685 §4 virustest from an X-Virus-Status header: 0 untested, 1 clean, 5 infected. */
function virusValue(ctx: SieveContext): string {
  const status = ctx.message.headerValues("x-virus-status")[0]?.trim().toLowerCase();
  if (status === undefined) return "0";
  if (status.startsWith("clean")) return "1";
  if (status.startsWith("infected")) return "5";
  return "0";
}
