// Test helpers for the Sieve unit tests: compile-or-fail, a message from text, and a run returning actions.

import assert from "node:assert/strict";
import type { CompiledSieve, SieveAction, SieveContext } from "./context.js";
import { compileSieve, runSieve, sieveMessageFromBytes } from "./sieve.js";

export function compileOk(source: string): CompiledSieve {
  const result = compileSieve(source);
  if (!result.ok) assert.fail(`expected the script to compile: ${JSON.stringify(result.errors)}`);
  return result.script;
}

/** A message from header lines and a body, joined with CRLF. */
export function messageText(headers: readonly string[], body = "Hello.\r\n"): string {
  return `${headers.join("\r\n")}\r\n\r\n${body}`;
}

export const DEFAULT_MESSAGE = messageText([
  "Date: Tue, 1 Apr 1997 09:06:31 -0800",
  "From: coyote@desert.example.org",
  "To: roadrunner@acme.example.com",
  "Subject: I have a present for you",
  "Message-ID: <1234@desert.example.org>",
]);

export type RunOptions = Partial<Omit<SieveContext, "message">> & { readonly text?: string };

export async function runText(source: string, options: RunOptions = {}) {
  const script = compileOk(source);
  const { text, ...rest } = options;
  return runSieve(script, {
    envelope: { from: "coyote@desert.example.org", to: "roadrunner@acme.example.com" },
    ...rest,
    message: sieveMessageFromBytes(Buffer.from(text ?? DEFAULT_MESSAGE, "utf8")),
  });
}

/** Runs and expects success; returns the actions. */
export async function actionsOf(source: string, options: RunOptions = {}): Promise<readonly SieveAction[]> {
  const outcome = await runText(source, options);
  if (!outcome.ok) assert.fail(`expected the run to succeed: ${JSON.stringify(outcome.error)}`);
  return outcome.actions;
}

/** A compact description of actions for deepEqual: "keep", "fileinto:INBOX.x", "redirect:a@b", … */
export function summarize(actions: readonly SieveAction[]): string[] {
  return actions.map(describeAction);
}

function describeAction(a: SieveAction): string {
  switch (a.type) {
    case "keep":
      return a.isImplicit ? "implicit-keep" : "keep";
    case "fileinto":
      return `fileinto:${a.mailbox}`;
    case "redirect":
      return `redirect:${a.address}`;
    case "reject":
    case "ereject":
      return `${a.type}:${a.reason}`;
    case "discard":
      return "discard";
    case "vacation":
      return `vacation:${a.to}`;
  }
}
