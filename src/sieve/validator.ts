// Gives a parsed script meaning (RFC 5228 §2.10, §3–§5 and the extension RFCs): each command and test is
// checked against its signature in grammar.ts, capabilities must be required before use (and only at the
// start), if/elsif/else must chain, comparators and match types must fit. Produces the compiled tree the
// interpreter runs. Collects several errors, each with its line and column.

import { headerAddresses } from "./address-part.js";
import { COMMANDS, type CommandSpec, SUPPORTED_SIEVE_EXTENSIONS, TESTS, type ValueKind } from "./grammar.js";
import type { Argument, CommandNode, TestNode } from "./parser.js";
import type { SieveError } from "./sieve-error.js";
import {
  decodeEncodedCharacters,
  hasVariableReference,
  referencedNamespaces,
  VARIABLE_NAME,
} from "./strings.js";

export type ArgValue = number | string | readonly string[];
export type TagValue = true | ArgValue;

export interface CompiledTest {
  readonly name: string;
  readonly line: number;
  readonly column: number;
  /** Tag name (without the colon) → its value, or `true` for a tag without one. */
  readonly tags: ReadonlyMap<string, TagValue>;
  /** Positional arguments in signature order; an omitted optional leading one is absent (see `omitted`). */
  readonly positional: readonly ArgValue[];
  /** How many optional leading positional arguments were left out. */
  readonly omitted: number;
  readonly tests: readonly CompiledTest[];
}

export interface CompiledCommand extends CompiledTest {
  readonly block: readonly CompiledCommand[] | null;
}

export const COMPARATORS = ["i;octet", "i;ascii-casemap", "i;ascii-numeric"] as const;
export type ComparatorName = (typeof COMPARATORS)[number];
export const RELATIONS = ["gt", "ge", "lt", "le", "eq", "ne"] as const;
export const DATE_PARTS = [
  "year",
  "month",
  "day",
  "date",
  "julian",
  "hour",
  "minute",
  "second",
  "time",
  "iso8601",
  "std11",
  "zone",
  "weekday",
] as const;
const ENVELOPE_PARTS = new Set(["from", "to"]);
const ZONE = /^[+-]\d{4}$/;
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
const MAX_ERRORS = 20;

/** Capabilities that come with another one (RFC 3685 §5: spamtestplus implies spamtest). */
const IMPLIED: Readonly<Record<string, readonly string[]>> = { spamtestplus: ["spamtest"] };

export interface ValidateResult {
  readonly commands: readonly CompiledCommand[];
  readonly required: ReadonlySet<string>;
  readonly errors: readonly SieveError[];
}

/** Validates a parsed script against the capabilities the server offers (`available`). */
export function validateScript(
  nodes: readonly CommandNode[],
  available: ReadonlySet<string>,
): ValidateResult {
  const errors: SieveError[] = [];
  const required = new Set<string>();
  const error = (at: { line: number; column: number }, message: string): void => {
    if (errors.length < MAX_ERRORS) errors.push({ line: at.line, column: at.column, message });
  };
  const has = (ext: string): boolean => required.has(ext);

  function compileBlock(list: readonly CommandNode[], isTopLevel: boolean): CompiledCommand[] {
    const out: CompiledCommand[] = [];
    let isRequireAllowed = isTopLevel;
    let previous: string | null = null;
    for (const node of list) {
      if (node.name === "require") {
        if (!isRequireAllowed) error(node, "require must come before any other command");
        requireCapabilities(node);
        previous = node.name;
        continue;
      }
      isRequireAllowed = false;
      if ((node.name === "elsif" || node.name === "else") && previous !== "if" && previous !== "elsif") {
        error(node, `${node.name} must follow if or elsif`);
      }
      const compiled = compileCommand(node);
      if (compiled !== null) out.push(compiled);
      previous = node.name;
    }
    return out;
  }

  function requireCapabilities(node: CommandNode): void {
    const arg = node.args[0];
    if (node.args.length !== 1 || arg?.kind !== "strings" || node.tests.length > 0 || node.block !== null) {
      error(node, "require takes one string list of capabilities");
      return;
    }
    for (const raw of arg.values) {
      const name = raw.toLowerCase();
      if (!SUPPORTED_SIEVE_EXTENSIONS.includes(name) || !available.has(name)) {
        error(arg, `unsupported extension "${raw}"`);
        continue;
      }
      required.add(name);
      for (const implied of IMPLIED[name] ?? []) required.add(implied);
    }
  }

  function compileCommand(node: CommandNode): CompiledCommand | null {
    const spec = COMMANDS[node.name];
    if (spec === undefined) {
      error(
        node,
        TESTS[node.name] ? `'${node.name}' is a test, not a command` : `unknown command '${node.name}'`,
      );
      return null;
    }
    const base = compileNode(node, spec, "command");
    if (base === null) return null;
    if (spec.block === true && node.block === null) error(node, `${node.name} needs a block { ... }`);
    if (spec.block !== true && node.block !== null)
      error(node, `${node.name} takes no block; end it with ';'`);
    const block = node.block === null ? null : compileBlock(node.block, false);
    const compiled: CompiledCommand = { ...base, block };
    checkCommand(compiled);
    return compiled;
  }

  function compileTest(node: TestNode): CompiledTest | null {
    const spec = TESTS[node.name];
    if (spec === undefined) {
      error(
        node,
        COMMANDS[node.name] ? `'${node.name}' is a command, not a test` : `unknown test '${node.name}'`,
      );
      return null;
    }
    const compiled = compileNode(node, spec, "test");
    if (compiled !== null) checkTest(compiled);
    return compiled;
  }

  function compileNode(node: TestNode, spec: CommandSpec, what: "command" | "test"): CompiledTest | null {
    if (spec.ext !== undefined && !has(spec.ext)) {
      error(node, `${what} '${node.name}' needs require "${spec.ext}"`);
      return null;
    }
    const tags = new Map<string, TagValue>();
    const groups = new Map<string, string>();
    const positional: ArgValue[] = [];
    const args = node.args;
    let ok = true;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] as Argument;
      if (arg.kind !== "tag") {
        const value = argumentValue(arg);
        if (value === null) ok = false;
        else positional.push(value);
        continue;
      }
      const tagSpec = spec.tags[arg.name];
      if (tagSpec === undefined) {
        error(arg, `${node.name} has no tag :${arg.name}`);
        ok = false;
        continue;
      }
      if (tagSpec.ext !== undefined && !has(tagSpec.ext)) {
        error(arg, `tag :${arg.name} needs require "${tagSpec.ext}"`);
        ok = false;
      }
      if (tags.has(arg.name)) {
        error(arg, `tag :${arg.name} given twice`);
        ok = false;
      }
      if (tagSpec.group !== undefined) {
        const other = groups.get(tagSpec.group);
        if (other !== undefined) {
          error(arg, `tags :${other} and :${arg.name} cannot be used together`);
          ok = false;
        }
        groups.set(tagSpec.group, arg.name);
      }
      if (tagSpec.value === undefined) {
        tags.set(arg.name, true);
        continue;
      }
      const next = args[i + 1];
      if (next === undefined || next.kind === "tag" || !fits(next, tagSpec.value)) {
        error(arg, `tag :${arg.name} needs a ${kindText(tagSpec.value)} argument`);
        ok = false;
        continue;
      }
      i++;
      const value = argumentValue(next);
      if (value === null) ok = false;
      else tags.set(arg.name, coerce(value, tagSpec.value));
    }
    const expected = spec.positional;
    const omitted = positional.length === expected.length - 1 ? (spec.optionalLeading ?? 0) : 0;
    if (positional.length + omitted !== expected.length) {
      error(
        node,
        `${node.name} takes ${expected.length} positional argument(s) but got ${positional.length}`,
      );
      return null;
    }
    const values: ArgValue[] = [];
    for (let k = 0; k < positional.length; k++) {
      const kind = expected[k + omitted] as ValueKind;
      const value = positional[k] as ArgValue;
      const source = args.filter((a) => a.kind !== "tag")[k] as Argument;
      if (!fitsValue(value, kind)) {
        error(source, `${node.name} argument ${k + omitted + 1} must be a ${kindText(kind)}`);
        ok = false;
      } else values.push(coerce(value, kind));
    }
    const tests: CompiledTest[] = [];
    if (spec.tests === "none" && node.tests.length > 0) {
      error(node, `${node.name} takes no test`);
      ok = false;
    } else if (spec.tests === "one" && (node.tests.length !== 1 || node.isTestList)) {
      error(node, `${node.name} takes exactly one test`);
      ok = false;
    } else if (spec.tests === "list" && !node.isTestList) {
      error(node, `${node.name} takes a test list in parentheses`);
      ok = false;
    }
    for (const t of node.tests) {
      const compiled = compileTest(t);
      if (compiled !== null) tests.push(compiled);
      else ok = false;
    }
    if (!ok) return null;
    return {
      name: node.name,
      line: node.line,
      column: node.column,
      tags,
      positional: values,
      omitted,
      tests,
    };
  }

  function argumentValue(arg: Argument): ArgValue | null {
    if (arg.kind === "number") return arg.value;
    if (arg.kind !== "strings") return null;
    const decoded: string[] = [];
    for (const s of arg.values) {
      let value = s;
      if (has("encoded-character")) {
        const r = decodeEncodedCharacters(s);
        if ("error" in r) {
          error(arg, r.error);
          return null;
        }
        value = r.value;
      }
      if (has("variables")) {
        // RFC 5229 §3: a namespace no required extension provides is an error (include provides "global").
        for (const namespace of referencedNamespaces(value)) {
          if (namespace !== "global" || !has("include")) {
            error(arg, `unknown variable namespace "${namespace}"`);
            return null;
          }
        }
      }
      decoded.push(value);
    }
    return arg.isList ? decoded : (decoded[0] as string);
  }

  function checkTest(test: CompiledTest): void {
    checkComparatorAndMatch(test);
    const strings = (k: number): readonly string[] => asList(test.positional[k]);
    switch (test.name) {
      case "header":
      case "exists":
      case "address":
        for (const name of strings(0)) checkFieldName(test, name);
        break;
      case "date":
        checkFieldName(test, test.positional[0] as string);
        checkDatePart(test, test.positional[1] as string);
        break;
      case "currentdate":
        checkDatePart(test, test.positional[0] as string);
        break;
      case "envelope":
        for (const part of strings(0)) {
          if (!hasVariableReference(part) && !ENVELOPE_PARTS.has(part.toLowerCase())) {
            error(test, `unsupported envelope part "${part}" (from and to are supported)`);
          }
        }
        break;
      case "size":
        if (!test.tags.has("over") && !test.tags.has("under")) error(test, "size needs :over or :under");
        break;
      case "hasflag":
        if (test.omitted === 0) checkVariableNames(test, strings(0));
        break;
    }
    const zone = test.tags.get("zone");
    if (typeof zone === "string" && !ZONE.test(zone) && !hasVariableReference(zone)) {
      error(test, `invalid time zone "${zone}" (expected +hhmm or -hhmm)`);
    }
    const index = test.tags.get("index");
    if (index !== undefined && (typeof index !== "number" || index < 1))
      error(test, ":index must be 1 or more");
    if (test.tags.has("last") && !test.tags.has("index")) error(test, ":last needs :index");
  }

  function checkCommand(command: CompiledCommand): void {
    switch (command.name) {
      case "set": {
        const name = command.positional[0] as string;
        // RFC 6609 §3.5: with include, "global.NAME" sets a global variable directly.
        const isGlobalName = has("include") && /^global\.[A-Za-z_][A-Za-z0-9_]*$/i.test(name);
        if (!VARIABLE_NAME.test(name) && !isGlobalName) error(command, `invalid variable name "${name}"`);
        break;
      }
      case "setflag":
      case "addflag":
      case "removeflag":
        if (command.omitted === 0) {
          if (!has("variables"))
            error(command, `${command.name} with a variable name needs require "variables"`);
          checkVariableNames(command, [command.positional[0] as string]);
        }
        break;
      case "global":
        if (!has("variables")) error(command, 'global needs require "variables"');
        checkVariableNames(command, asList(command.positional[0]));
        break;
      case "include": {
        const name = command.positional[0] as string;
        if (name === "" || /[/\0]/.test(name)) error(command, `invalid script name "${name}"`);
        break;
      }
      case "vacation": {
        // RFC 5230 §4.4: :from must be a valid address (a display name may come with it).
        const from = command.tags.get("from");
        if (
          typeof from === "string" &&
          !hasVariableReference(from) &&
          headerAddresses(from).filter((a) => a.domain !== null).length !== 1
        ) {
          error(command, `vacation :from needs one mail address, not "${from}"`);
        }
        break;
      }
      case "redirect": {
        const address = command.positional[0] as string;
        if (!hasVariableReference(address) && !isMailAddress(address)) {
          error(command, `redirect needs a mail address, not "${address}"`);
        }
        break;
      }
    }
  }

  function checkVariableNames(at: CompiledTest, names: readonly string[]): void {
    if (!has("variables")) {
      error(at, 'a variable name needs require "variables"');
      return;
    }
    for (const name of names) if (!VARIABLE_NAME.test(name)) error(at, `invalid variable name "${name}"`);
  }

  function checkComparatorAndMatch(test: CompiledTest): void {
    const comparator = test.tags.get("comparator");
    if (typeof comparator === "string") {
      const name = comparator.toLowerCase();
      if (!(COMPARATORS as readonly string[]).includes(name)) {
        error(test, `unknown comparator "${comparator}"`);
      } else if (name === "i;ascii-numeric") {
        if (!has("comparator-i;ascii-numeric"))
          error(test, 'comparator "i;ascii-numeric" needs require "comparator-i;ascii-numeric"');
        if (test.tags.has("contains") || test.tags.has("matches")) {
          error(test, "comparator i;ascii-numeric supports only :is, :count and :value");
        }
      }
    }
    for (const tag of ["count", "value"]) {
      const relation = test.tags.get(tag);
      if (
        typeof relation === "string" &&
        !(RELATIONS as readonly string[]).includes(relation.toLowerCase())
      ) {
        error(test, `invalid relational match "${relation}" (gt, ge, lt, le, eq or ne)`);
      }
    }
  }

  function checkFieldName(at: CompiledTest, name: string): void {
    if (!FIELD_NAME.test(name) && !hasVariableReference(name))
      error(at, `invalid header field name "${name}"`);
  }

  function checkDatePart(at: CompiledTest, part: string): void {
    if (!(DATE_PARTS as readonly string[]).includes(part.toLowerCase()) && !hasVariableReference(part)) {
      error(at, `unknown date part "${part}"`);
    }
  }

  const commands = compileBlock(nodes, true);
  return { commands, required, errors };
}

/** A plain addr-spec as redirect takes it (RFC 5228 §4.2): local@domain, no brackets or spaces. */
export function isMailAddress(text: string): boolean {
  return (
    /^[^\s<>@",;:()[\]]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(text) ||
    /^"[^"]*"@[A-Za-z0-9.-]+$/.test(text)
  );
}

function asList(value: ArgValue | undefined): readonly string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value;
  return [];
}

function fits(arg: Argument, kind: ValueKind): boolean {
  if (kind === "number") return arg.kind === "number";
  if (kind === "string") return arg.kind === "strings" && arg.values.length === 1;
  return arg.kind === "strings";
}

function fitsValue(value: ArgValue, kind: ValueKind): boolean {
  if (kind === "number") return typeof value === "number";
  if (kind === "string") return typeof value === "string" || (Array.isArray(value) && value.length === 1);
  return typeof value !== "number";
}

/** A one-element list where a string is expected becomes the string; a string where a list is expected a list. */
function coerce(value: ArgValue, kind: ValueKind): ArgValue {
  if (kind === "string" && Array.isArray(value)) return value[0] as string;
  if (kind === "stringList" && typeof value === "string") return [value];
  return value;
}

function kindText(kind: ValueKind): string {
  return kind === "stringList" ? "string list" : kind;
}
