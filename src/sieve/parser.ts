// RFC 5228 §8.2 grammar: commands, blocks, arguments (tags, numbers, strings, string lists) and tests/test
// lists, into a syntax tree with positions. Knows no command names; the validator gives them meaning.
// Nesting is bounded so a hostile script cannot exhaust the stack.

import { type Position, type Token, tokenize } from "./lexer.js";
import { SieveSyntaxError } from "./sieve-error.js";

export type Argument =
  | (Position & { readonly kind: "tag"; readonly name: string })
  | (Position & { readonly kind: "number"; readonly value: number })
  /** A single string is a one-element list that remembers it was not bracketed. */
  | (Position & { readonly kind: "strings"; readonly values: readonly string[]; readonly isList: boolean });

export interface TestNode extends Position {
  readonly name: string;
  readonly args: readonly Argument[];
  readonly tests: readonly TestNode[];
  /** Whether the tests were written as a parenthesized test-list (allof/anyof) rather than one test (not). */
  readonly isTestList: boolean;
}

export interface CommandNode extends TestNode {
  /** The `{ ... }` block, or null when the command ended with `;`. */
  readonly block: readonly CommandNode[] | null;
}

/** Blocks and test lists nested deeper than this are refused (Pigeonhole's default is 32 too). */
export const MAX_NESTING_DEPTH = 32;

/** Parses a whole script; throws SieveSyntaxError with the position of the first fault. */
export function parseScript(source: string): CommandNode[] {
  const tokens = tokenize(source);
  let p = 0;
  const peek = (): Token => tokens[p] as Token;
  const next = (): Token => tokens[p++] as Token;
  const fail = (pos: Position, message: string): never => {
    throw new SieveSyntaxError(pos.line, pos.column, message);
  };
  const describe = (t: Token): string => {
    switch (t.kind) {
      case "end":
        return "end of script";
      case "string":
        return "a string";
      case "number":
        return `number ${t.value}`;
      case "tag":
        return `tag :${t.value}`;
      case "identifier":
        return `'${t.value}'`;
      case "special":
        return `'${t.value}'`;
    }
  };
  const isSpecial = (t: Token, value: string): boolean => t.kind === "special" && t.value === value;

  function commands(depth: number, inBlock: boolean): CommandNode[] {
    const list: CommandNode[] = [];
    for (;;) {
      const t = peek();
      if (t.kind === "end") {
        if (inBlock) fail(t, "missing '}' at end of script");
        return list;
      }
      if (isSpecial(t, "}")) {
        if (!inBlock) fail(t, "unexpected '}'");
        return list;
      }
      list.push(command(depth));
    }
  }

  function command(depth: number): CommandNode {
    const t = next();
    if (t.kind !== "identifier") return fail(t, `expected a command name but found ${describe(t)}`);
    const { args, tests, isTestList } = argumentsOf(depth);
    const end = next();
    if (isSpecial(end, ";"))
      return { name: t.value, line: t.line, column: t.column, args, tests, isTestList, block: null };
    if (isSpecial(end, "{")) {
      if (depth + 1 > MAX_NESTING_DEPTH) fail(end, `blocks nested deeper than ${MAX_NESTING_DEPTH}`);
      const block = commands(depth + 1, true);
      next(); // the "}" commands() stopped at
      return { name: t.value, line: t.line, column: t.column, args, tests, isTestList, block };
    }
    return fail(end, `expected ';' or '{' after command '${t.value}' but found ${describe(end)}`);
  }

  function argumentsOf(depth: number): { args: Argument[]; tests: TestNode[]; isTestList: boolean } {
    const args: Argument[] = [];
    for (;;) {
      const t = peek();
      if (t.kind === "tag") {
        p++;
        args.push({ kind: "tag", name: t.value, line: t.line, column: t.column });
      } else if (t.kind === "number") {
        p++;
        args.push({ kind: "number", value: t.value, line: t.line, column: t.column });
      } else if (t.kind === "string") {
        p++;
        args.push({ kind: "strings", values: [t.value], isList: false, line: t.line, column: t.column });
      } else if (isSpecial(t, "[")) {
        p++;
        args.push(stringList(t));
      } else break;
    }
    const t = peek();
    if (t.kind === "identifier") return { args, tests: [test(depth + 1)], isTestList: false };
    if (isSpecial(t, "(")) {
      p++;
      if (depth + 1 > MAX_NESTING_DEPTH) fail(t, `tests nested deeper than ${MAX_NESTING_DEPTH}`);
      const tests = [test(depth + 1)];
      for (;;) {
        const sep = next();
        if (isSpecial(sep, ")")) break;
        if (!isSpecial(sep, ",")) fail(sep, `expected ',' or ')' in test list but found ${describe(sep)}`);
        tests.push(test(depth + 1));
      }
      return { args, tests, isTestList: true };
    }
    return { args, tests: [], isTestList: false };
  }

  function stringList(open: Token): Argument {
    const values: string[] = [];
    for (;;) {
      const s = next();
      if (s.kind !== "string") return fail(s, `expected a string in string list but found ${describe(s)}`);
      values.push(s.value);
      const sep = next();
      if (isSpecial(sep, "]")) break;
      if (!isSpecial(sep, ",")) fail(sep, `expected ',' or ']' in string list but found ${describe(sep)}`);
    }
    return { kind: "strings", values, isList: true, line: open.line, column: open.column };
  }

  function test(depth: number): TestNode {
    if (depth > MAX_NESTING_DEPTH) fail(peek(), `tests nested deeper than ${MAX_NESTING_DEPTH}`);
    const t = next();
    if (t.kind !== "identifier") return fail(t, `expected a test name but found ${describe(t)}`);
    const { args, tests, isTestList } = argumentsOf(depth);
    return { name: t.value, line: t.line, column: t.column, args, tests, isTestList };
  }

  return commands(0, false);
}
