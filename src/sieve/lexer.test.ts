// Lexer and matcher properties (fast-check): any quoted or multi-line string round-trips through the lexer,
// positions are 1-based and exact, arbitrary input never throws anything but a SieveSyntaxError, and the glob
// matcher agrees with a reference regular expression on random patterns.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { tokenize } from "./lexer.js";
import { globMatch } from "./match.js";
import { compileSieve } from "./sieve.js";
import { SieveSyntaxError } from "./sieve-error.js";

function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function multiline(lines: readonly string[]): string {
  return `text:\r\n${lines.map((l) => (l.startsWith(".") ? `.${l}` : l)).join("\r\n")}${lines.length > 0 ? "\r\n" : ""}.\r\n`;
}

const line = fc.string({ unit: "grapheme", maxLength: 20 }).filter((s) => !/[\r\n]/.test(s));

describe("lexer properties", () => {
  it("quoted strings round-trip", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        const [token] = tokenize(quote(text));
        assert.equal(token?.kind, "string");
        assert.equal(token?.kind === "string" && token.value, text);
      }),
    );
  });

  it("multi-line strings round-trip with dot-stuffing", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 6 }), (lines) => {
        const [token] = tokenize(multiline(lines));
        assert.equal(token?.kind === "string" && token.value, lines.map((l) => `${l}\r\n`).join(""));
      }),
    );
  });

  it("token positions are exact after any number of comment and newline lines", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("", "# c", "/* c */", "  "), { maxLength: 8 }),
        fc.nat(10),
        (lines, indent) => {
          const source = `${lines.join("\n")}${lines.length > 0 ? "\n" : ""}${" ".repeat(indent)}keep;`;
          const [token] = tokenize(source);
          assert.deepEqual([token?.line, token?.column], [lines.length + 1, indent + 1]);
        },
      ),
    );
  });

  it("arbitrary input compiles or yields positioned errors, never a crash", () => {
    const pieces = fc.constantFrom(
      "if",
      "header",
      ":is",
      ":matches",
      '"a"',
      "[",
      "]",
      "(",
      ")",
      ",",
      ";",
      "{",
      "}",
      "text:\n",
      ".\n",
      "#",
      "/*",
      "*/",
      "\n",
      " ",
      "1K",
      "require",
      '"fileinto"',
      "fileinto",
      "allof",
      "not",
      "\\",
      '"',
      "elsif",
      "else",
      ":comparator",
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 3 })), { maxLength: 40 }), (parts) => {
        const source = parts.join(" ");
        const result = compileSieve(source);
        if (!result.ok) {
          for (const error of result.errors) {
            assert.ok(error.line >= 1 && error.column >= 1, JSON.stringify(error));
            assert.ok(error.line <= source.split("\n").length + 1);
          }
        }
      }),
    );
  });

  it("the lexer throws only SieveSyntaxError", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (text) => {
        try {
          tokenize(text);
        } catch (error) {
          assert.ok(error instanceof SieveSyntaxError);
        }
      }),
    );
  });
});

describe(":matches glob against a reference", () => {
  const toRegExp = (pattern: string): RegExp =>
    new RegExp(
      `^${Array.from(pattern)
        .map((c) =>
          c === "*" ? "[\\s\\S]*?" : c === "?" ? "[\\s\\S]" : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
        )
        .join("")}$`,
      "u",
    );
  it("agrees on whether it matches", () => {
    const alphabet = fc.constantFrom("a", "b", "*", "?");
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 8 }),
        fc.array(fc.constantFrom("a", "b"), { maxLength: 10 }),
        (p, t) => {
          const pattern = p.join("");
          const text = t.join("");
          assert.equal(
            globMatch(pattern, text, false) !== null,
            toRegExp(pattern).test(text),
            `${pattern} ~ ${text}`,
          );
        },
      ),
    );
  });
  it("captures rebuild the text", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "b", "*", "?"), { maxLength: 8 }),
        fc.string({ maxLength: 10 }),
        (p, text) => {
          const pattern = p.join("");
          const captures = globMatch(pattern, text, false);
          if (captures === null) return;
          let k = 1;
          const rebuilt = Array.from(pattern)
            .map((c) => (c === "*" || c === "?" ? captures[k++] : c))
            .join("");
          assert.equal(rebuilt, text);
        },
      ),
    );
  });
  it("stays fast on hostile patterns", () => {
    const text = "a".repeat(20_000);
    assert.equal(globMatch(`${"*a".repeat(50)}b`, text, false), null);
    assert.equal(globMatch(`*${"a".repeat(50)}b`, text, false), null);
  });
});

describe("matching budget", () => {
  it("a hostile :matches on a large body ends as a runtime error, not a hang", async () => {
    const { runSieve, sieveMessageFromBytes } = await import("./sieve.js");
    const compiled = compileSieve(
      `require "body";\nif body :raw :matches "*${"a".repeat(1000)}b" { discard; }`,
    );
    assert.ok(compiled.ok);
    const message = sieveMessageFromBytes(Buffer.from(`Subject: x\r\n\r\n${"a".repeat(500_000)}`));
    const outcome = await runSieve(compiled.script, { message, envelope: { from: "a@b.c", to: "d@e.f" } });
    assert.equal(outcome.ok, false);
    if (!outcome.ok)
      assert.deepEqual([outcome.error.line, /matching work/.test(outcome.error.message)], [2, true]);
  });
});
