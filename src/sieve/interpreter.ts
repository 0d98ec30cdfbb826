// Runs a compiled script against one message (RFC 5228 §2.10): commands in order, if/elsif/else chains,
// stop, the actions of the core and extensions (fileinto, reject/ereject, vacation, imap4flags, variables
// with set modifiers, include/return/global), collecting actions through ActionList. Any failure becomes a
// runtime error result and no action of the run is taken: the caller keeps the message (§2.10.6).

import { ActionConflict, ActionList } from "./actions.js";
import { compileSieve } from "./compile.js";
import {
  type CompiledSieve,
  DEFAULT_SIEVE_LIMITS,
  type IncludeLocation,
  type SieveContext,
  type SieveLimits,
  type SieveOutcome,
} from "./context.js";
import { evaluateTest, splitFlags, storableFlags, type TestEnv } from "./evaluate-test.js";
import { type MatchBudget, MatchBudgetExceeded } from "./match.js";
import { SieveRuntimeError } from "./sieve-error.js";
import { expandVariables, truncate } from "./strings.js";
import { buildVacation, vacationRefusal } from "./vacation.js";
import { type CompiledCommand, type CompiledTest, isMailAddress, type TagValue } from "./validator.js";

/** `stop` unwinds every script; `return` only the current included one. */
class StopSignal {}
class ReturnSignal {}

const MAX_MATCH_VARIABLES = 10;

/** State shared by the main script and every script it includes. */
class Run {
  readonly actions: ActionList;
  readonly globals = new Map<string, string>();
  readonly includedOnce = new Set<string>();
  readonly activeIncludes: string[] = [];
  includeCount = 0;
  readonly budget: MatchBudget;
  /** The command or test being run, for errors that do not carry a position. */
  position: { readonly line: number; readonly column: number } = { line: 1, column: 1 };
  /** RFC 5232 §3 internal flags variable, shared by all scripts of the run. */
  flags: string[] = [];

  constructor(
    readonly context: SieveContext,
    readonly limits: SieveLimits,
  ) {
    this.actions = new ActionList(limits);
    this.budget = { steps: limits.maxMatchSteps };
  }
}

/** One script's execution: its required capabilities, local variables and match variables. */
class Scope implements TestEnv {
  readonly variables = new Map<string, string>();
  readonly globalNames = new Set<string>();
  matchVariables: string[] = [];
  readonly separator: string;
  readonly localZoneOffsetMinutes: number;
  readonly now: Date;
  readonly context: SieveContext;
  readonly budget: MatchBudget;

  constructor(
    readonly run: Run,
    readonly script: CompiledSieve,
    readonly depth: number,
  ) {
    this.context = run.context;
    this.separator = run.context.subaddressSeparator ?? "+";
    this.localZoneOffsetMinutes = run.context.localZoneOffsetMinutes ?? 0;
    this.now = run.context.now ?? new Date();
    this.budget = run.budget;
  }

  private has(ext: string): boolean {
    return this.script.required.has(ext);
  }

  expand(text: string): string {
    if (!this.has("variables")) return text;
    return expandVariables(text, (name) => this.lookup(name), this.run.limits.maxVariableChars);
  }

  private lookup(name: string): string | undefined {
    if (/^[0-9]+$/.test(name)) return this.matchVariables[Number(name)];
    if (name.startsWith("global.")) return this.run.globals.get(name.slice(7));
    if (name.includes(".")) return undefined; // unknown namespace (RFC 5229 §3): empty
    if (this.globalNames.has(name)) return this.run.globals.get(name);
    return this.variables.get(name);
  }

  variableValue(name: string): string {
    return this.lookup(name) ?? "";
  }

  setVariable(at: CompiledTest, name: string, value: string): void {
    const capped = truncate(value, this.run.limits.maxVariableChars);
    if (name.startsWith("global.")) {
      this.run.globals.set(name.slice(7), capped);
      return;
    }
    if (this.globalNames.has(name)) {
      this.run.globals.set(name, capped);
      return;
    }
    if (!this.variables.has(name) && this.variables.size >= this.run.limits.maxVariables) {
      throw new SieveRuntimeError(
        at.line,
        at.column,
        `too many variables (at most ${this.run.limits.maxVariables})`,
      );
    }
    this.variables.set(name, capped);
  }

  setMatchVariables(captures: readonly string[]): void {
    this.matchVariables = captures.slice(0, MAX_MATCH_VARIABLES);
  }

  internalFlags(): readonly string[] {
    return this.run.flags;
  }

  async evaluate(test: CompiledTest): Promise<boolean> {
    this.run.position = test;
    try {
      return await evaluateTest(test, this);
    } catch (error) {
      if (error instanceof MatchBudgetExceeded)
        throw new SieveRuntimeError(test.line, test.column, error.message);
      throw error;
    }
  }

  list(value: TagValue | undefined): string[] {
    if (value === undefined || value === true || typeof value === "number") return [];
    return (typeof value === "string" ? [value] : value).map((s) => this.expand(s));
  }

  string(value: TagValue | undefined): string {
    return typeof value === "string" ? this.expand(value) : "";
  }

  /** Flags for keep/fileinto: :flags when given, else the internal variable (RFC 5232 §5). */
  flagsFor(command: CompiledCommand): string[] {
    if (!this.has("imap4flags")) return [];
    const explicit = command.tags.get("flags");
    const flags =
      explicit === undefined || explicit === true ? this.run.flags : splitFlags(this.list(explicit));
    return storableFlags(flags);
  }
}

/** Runs `script`; never throws: script faults, failing callbacks and bugs all come back as `{ ok: false }`. */
export async function runScript(script: CompiledSieve, context: SieveContext): Promise<SieveOutcome> {
  const limits: SieveLimits = { ...DEFAULT_SIEVE_LIMITS, ...context.limits };
  const run = new Run(context, limits);
  try {
    await runBlockCatchingReturn(new Scope(run, script, 0), script.commands);
  } catch (error) {
    if (error instanceof StopSignal) {
      // stop ends the whole run normally (RFC 5228 §3.3).
    } else if (error instanceof SieveRuntimeError) {
      return { ok: false, error: error.toSieveError() };
    } else {
      // A failing callback (mailboxExists, includeScript) or a bug: still an outcome, so the message is kept.
      const reason = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        error: { line: run.position.line, column: run.position.column, message: `internal error: ${reason}` },
      };
    }
  }
  return { ok: true, actions: run.actions.finish(storableFlags(run.flags)) };
}

async function runBlockCatchingReturn(scope: Scope, commands: readonly CompiledCommand[]): Promise<void> {
  try {
    await runBlock(scope, commands);
  } catch (error) {
    if (!(error instanceof ReturnSignal)) throw error;
  }
}

async function runBlock(scope: Scope, commands: readonly CompiledCommand[]): Promise<void> {
  // Whether a branch of the current if/elsif chain has been taken; null outside a chain.
  let isChainTaken: boolean | null = null;
  for (const command of commands) {
    scope.run.position = command;
    switch (command.name) {
      case "if":
      case "elsif": {
        if (command.name === "elsif" && isChainTaken === true) continue;
        isChainTaken = await scope.evaluate(command.tests[0] as CompiledTest);
        if (isChainTaken) await runBlock(scope, command.block ?? []);
        continue;
      }
      case "else":
        if (isChainTaken === false) await runBlock(scope, command.block ?? []);
        isChainTaken = null;
        continue;
      default:
        isChainTaken = null;
        try {
          await runCommand(scope, command);
        } catch (error) {
          if (error instanceof ActionConflict)
            throw new SieveRuntimeError(command.line, command.column, error.message);
          throw error;
        }
    }
  }
}

async function runCommand(scope: Scope, command: CompiledCommand): Promise<void> {
  const run = scope.run;
  const p = command.positional;
  const fail = (message: string): never => {
    throw new SieveRuntimeError(command.line, command.column, message);
  };
  switch (command.name) {
    case "stop":
      throw new StopSignal();
    case "return":
      throw new ReturnSignal();
    case "keep":
      run.actions.keep(scope.flagsFor(command));
      return;
    case "discard":
      run.actions.discard();
      return;
    case "fileinto": {
      const mailbox = scope.string(p[0]);
      if (mailbox === "" || /[\0\r\n]/.test(mailbox)) fail(`fileinto: invalid mailbox name "${mailbox}"`);
      run.actions.fileinto(
        mailbox,
        scope.flagsFor(command),
        command.tags.has("copy"),
        command.tags.has("create"),
      );
      return;
    }
    case "redirect": {
      const address = scope.string(p[0]).trim();
      if (!isMailAddress(address)) fail(`redirect: invalid address "${address}"`);
      run.actions.redirect(address, command.tags.has("copy"));
      return;
    }
    case "reject":
    case "ereject":
      run.actions.reject(command.name, scope.string(p[0]));
      return;
    case "vacation":
      runVacation(scope, command);
      return;
    case "setflag":
    case "addflag":
    case "removeflag":
      runFlagCommand(scope, command);
      return;
    case "set":
      scope.setVariable(command, (p[0] as string).toLowerCase(), applyModifiers(command, scope.string(p[1])));
      return;
    case "global":
      for (const name of scope.list(p[0])) scope.globalNames.add(name.toLowerCase());
      return;
    case "include":
      await runInclude(scope, command);
      return;
    default:
      fail(`unknown command '${command.name}'`);
  }
}

function runFlagCommand(scope: Scope, command: CompiledCommand): void {
  const p = command.positional;
  const isInternal = command.omitted > 0;
  const name = isInternal ? null : (p[0] as string).toLowerCase();
  const given = splitFlags(scope.list(isInternal ? p[0] : p[1]));
  const current = isInternal ? scope.run.flags : splitFlags([scope.variableValue(name as string)]);
  let next: string[];
  if (command.name === "setflag") next = given;
  else if (command.name === "addflag") next = splitFlags([...current, ...given]);
  else {
    const removed = new Set(given.map((f) => f.toLowerCase()));
    next = current.filter((f) => !removed.has(f.toLowerCase()));
  }
  if (isInternal) scope.run.flags = next;
  else scope.setVariable(command, name as string, next.join(" "));
}

/** RFC 5229 §4.1: modifiers apply in precedence order — :lower/:upper, then :lowerfirst/:upperfirst, then :quotewildcard, then :length. */
function applyModifiers(command: CompiledCommand, value: string): string {
  const tags = command.tags;
  if (tags.has("lower")) value = value.toLowerCase();
  if (tags.has("upper")) value = value.toUpperCase();
  if (tags.has("lowerfirst")) value = value.charAt(0).toLowerCase() + value.slice(1);
  if (tags.has("upperfirst")) value = value.charAt(0).toUpperCase() + value.slice(1);
  if (tags.has("quotewildcard")) value = value.replace(/[*?\\]/g, (c) => `\\${c}`);
  if (tags.has("length")) value = String(Array.from(value).length);
  return value;
}

function runVacation(scope: Scope, command: CompiledCommand): void {
  const ctx = scope.context;
  const tags = command.tags;
  const optional = (tag: string): string | null => (tags.has(tag) ? scope.string(tags.get(tag)) : null);
  const number = (tag: string): number | null => {
    const value = tags.get(tag);
    return typeof value === "number" ? value : null;
  };
  const addresses = scope.list(tags.get("addresses"));
  const own = [
    ...new Set([
      ...(ctx.userAddresses ?? []),
      ctx.envelope.to,
      ctx.envelope.originalRecipient ?? ctx.envelope.to,
      ...addresses,
    ]),
  ];
  const refusal = vacationRefusal(ctx.message, ctx.envelope, own);
  const reply =
    refusal !== null
      ? null
      : buildVacation(
          {
            reason: scope.string(command.positional[0]),
            subject: optional("subject"),
            from: optional("from"),
            addresses,
            isMime: tags.has("mime"),
            handle: optional("handle"),
            days: number("days"),
            seconds: number("seconds"),
          },
          ctx.message,
          ctx.envelope,
          own,
          scope.run.limits,
        );
  scope.run.actions.vacation(reply);
}

async function runInclude(scope: Scope, command: CompiledCommand): Promise<void> {
  const run = scope.run;
  const fail = (message: string): never => {
    throw new SieveRuntimeError(command.line, command.column, message);
  };
  const name = scope.string(command.positional[0]);
  const location: IncludeLocation = command.tags.has("global") ? "global" : "personal";
  const key = `${location}:${name}`;
  if (command.tags.has("once") && run.includedOnce.has(key)) return;
  if (run.activeIncludes.includes(key)) fail(`include loop: "${name}" includes itself`);
  if (scope.depth + 1 > run.limits.maxIncludeDepth)
    fail(`includes nested deeper than ${run.limits.maxIncludeDepth}`);
  if (++run.includeCount > run.limits.maxIncludes)
    fail(`too many includes (at most ${run.limits.maxIncludes})`);
  const loaded =
    run.context.includeScript === undefined ? null : await run.context.includeScript(name, location);
  if (loaded === null) {
    if (command.tags.has("optional")) return;
    return fail(`included ${location} script "${name}" does not exist`);
  }
  let included: CompiledSieve;
  if (typeof loaded === "string") {
    const compiled = compileSieve(loaded);
    if (!compiled.ok) {
      const first = compiled.errors[0];
      return fail(
        `included script "${name}" has errors${first ? `: line ${first.line}: ${first.message}` : ""}`,
      );
    }
    included = compiled.script;
  } else included = loaded;
  run.includedOnce.add(key);
  run.activeIncludes.push(key);
  try {
    await runBlockCatchingReturn(new Scope(run, included, scope.depth + 1), included.commands);
  } finally {
    run.activeIncludes.pop();
  }
}
