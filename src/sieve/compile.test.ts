// compileSieve: the grammar of RFC 5228 §8, require rules (§3.2), argument checks, and errors with
// the line and column ManageSieve CHECKSCRIPT reports.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileSieve, SUPPORTED_SIEVE_EXTENSIONS } from "./sieve.js";

function errorsOf(source: string, options?: Parameters<typeof compileSieve>[1]) {
  const result = compileSieve(source, options);
  assert.equal(result.ok, false, "expected compile errors");
  return result.ok ? [] : result.errors;
}

function firstError(source: string) {
  const errors = errorsOf(source);
  assert.ok(errors.length > 0);
  return errors[0]!;
}

describe("compileSieve: accepted scripts", () => {
  const valid: Record<string, string> = {
    empty: "",
    "only comments": "# a comment\n/* a\n bracket comment */\n",
    "RFC 5228 §2.4.2 multi-line string": 'require "reject";\nreject text:\nline one\n..dot\n.\n;\n',
    "multi-line with a comment after text:": 'require "reject";\nreject text: # why\nbye\n.\n;',
    quantifiers: "if size :over 100K { discard; } elsif size :under 1M { keep; } else { stop; }",
    "nested tests": 'if allof (not exists "x", anyof (true, false)) { keep; }',
    "string lists": 'if header :contains ["From", "To"] ["a", "b"] { keep; }',
    "case-insensitive identifiers": 'IF Header :Is "subject" "x" { KEEP; }',
    "all extensions": `require ${JSON.stringify(SUPPORTED_SIEVE_EXTENSIONS)};`,
    redirect: 'redirect "jim@example.com";',
    "i;ascii-numeric comparator":
      'require "comparator-i;ascii-numeric";\nif header :is :comparator "i;ascii-numeric" "x" "5" { keep; }',
  };
  for (const [name, source] of Object.entries(valid)) {
    it(name, () => {
      const result = compileSieve(source);
      assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    });
  }

  it("multi-line strings are dot-unstuffed and end in CRLF (RFC 5228 §2.4.2)", () => {
    const result = compileSieve('require "reject";\nreject text:\nline one\n..dot\n.\n;\n');
    assert.ok(result.ok);
    assert.deepEqual(result.script.commands[0]?.positional, ["line one\r\n.dot\r\n"]);
  });

  it('quoted strings keep \\" and \\\\ and drop other backslashes', () => {
    const result = compileSieve('require "fileinto"; fileinto "a\\"b\\\\c\\d";');
    assert.ok(result.ok);
    assert.deepEqual(result.script.commands[0]?.positional, ['a"b\\cd']);
  });
});

describe("compileSieve: errors with line and column", () => {
  const cases: [string, string, number, number, RegExp][] = [
    ["unknown command", 'keep;\n  frobnicate "x";', 2, 3, /unknown command 'frobnicate'/],
    ["missing semicolon", "if true {\n  keep\n}", 3, 1, /expected ';' or '\{' after command 'keep'/],
    ["command run into the next", "keep\ndiscard;", 1, 1, /keep takes no test/],
    ["unterminated string", 'if header :is "a" "b { keep; }', 1, 19, /unterminated string/],
    ["unterminated comment", "keep;\n/* never closed", 2, 1, /unterminated comment/],
    ["unterminated multi-line", 'require "reject";\nreject text:\nno end', 2, 8, /multi-line/],
    ["missing close brace", "if true {\n keep;\n", 3, 1, /missing '\}'/],
    ["stray close brace", "keep; }", 1, 7, /unexpected '\}'/],
    ["bad character", "keep; @", 1, 7, /unexpected character '@'/],
    ["fileinto without require", 'fileinto "x";', 1, 1, /needs require "fileinto"/],
    ["tag without require", 'redirect :copy "a@b.c";', 1, 10, /needs require "copy"/],
    ["unknown extension", 'require ["fileinto", "x-nope"];', 1, 9, /unsupported extension "x-nope"/],
    ["require after a command", 'keep;\nrequire "fileinto";', 2, 1, /require must come before/],
    ["else without if", "else { keep; }", 1, 1, /else must follow if or elsif/],
    ["if without block", "if true;", 1, 1, /needs a block/],
    ["if without test", "if { keep; }", 1, 1, /exactly one test/],
    ["keep with block", "keep { }", 1, 1, /takes no block/],
    ["test used as command", 'header "a" "b";', 1, 1, /is a test, not a command/],
    ["command used as test", "if keep { }", 1, 4, /is a command, not a test/],
    ["two match types", 'if header :is :contains "a" "b" { keep; }', 1, 15, /cannot be used together/],
    ["unknown tag", 'if header :frob "a" "b" { keep; }', 1, 11, /has no tag :frob/],
    ["wrong argument count", 'if header "a" { keep; }', 1, 4, /positional argument/],
    ["number where string", "redirect 5;", 1, 10, /must be a string/],
    ["size without :over", "if size 5 { keep; }", 1, 4, /positional argument|size needs/],
    ["unknown comparator", 'if header :comparator "i;foo" "a" "b" { keep; }', 1, 4, /unknown comparator/],
    [
      "numeric without require",
      'if header :comparator "i;ascii-numeric" "a" "1" { keep; }',
      1,
      4,
      /needs require "comparator-i;ascii-numeric"/,
    ],
    [
      "bad envelope part",
      'require "envelope"; if envelope "cc" "x" { keep; }',
      1,
      24,
      /unsupported envelope part/,
    ],
    ["bad header name", 'if exists "a b" { keep; }', 1, 4, /invalid header field name/],
    ["bad redirect address", 'redirect "not an address";', 1, 1, /needs a mail address/],
    ["number too large", "if size :over 9999999999 { keep; }", 1, 15, /number too large/],
    [
      "relational bad op",
      'require "relational"; if header :value "zz" "a" "b" { keep; }',
      1,
      26,
      /invalid relational match/,
    ],
    ["allof without list", "if allof true { keep; }", 1, 4, /test list in parentheses/],
    ["missing comma in list", 'if header ["a" "b"] "c" { keep; }', 1, 16, /expected ',' or '\]'/],
    [
      "vacation :from not an address",
      'require "vacation";\nvacation :from "nobody" "away";',
      2,
      1,
      /:from needs one mail address/,
    ],
    ["columns after a byte order mark", "\uFEFF  frob;", 1, 3, /unknown command 'frob'/],
    [
      "unknown variable namespace",
      'require ["variables", "fileinto"];\nfileinto "$' + '{env.user}";',
      2,
      10,
      /unknown variable namespace "env"/,
    ],
    [
      "line count after a multi-line string",
      'require "reject";\nreject text:\na\nb\n.\n;\n  frob;',
      7,
      3,
      /unknown command/,
    ],
    [
      "line count after a quoted string with newlines",
      'keep;\nif header :is "a" "x\ny\nz" { frob; }',
      4,
      6,
      /unknown command/,
    ],
    ["CRLF line ends", "keep;\r\n\r\n   frob;\r\n", 3, 4, /unknown command/],
    ["empty test list", "if anyof () { keep; }", 1, 11, /expected a test name/],
  ];
  for (const [name, source, line, column, message] of cases) {
    it(name, () => {
      const error = firstError(source);
      assert.match(error.message, message);
      assert.deepEqual([error.line, error.column], [line, column], `${error.message}`);
    });
  }

  it("reports several validation errors at once", () => {
    const errors = errorsOf('fileinto "a";\nreject "b";\nvacation "c";');
    assert.deepEqual(
      errors.map((e) => e.line),
      [1, 2, 3],
    );
  });

  it("refuses scripts over maxSize", () => {
    const errors = errorsOf("keep;".repeat(100), { maxSize: 50 });
    assert.match(errors[0]!.message, /more than the 50 allowed/);
  });

  it("refuses extensions the server does not offer", () => {
    const errors = errorsOf('require "vacation";', { extensions: new Set(["fileinto"]) });
    assert.match(errors[0]!.message, /unsupported extension "vacation"/);
  });

  it("bounds nesting depth instead of overflowing the stack", () => {
    const deep = `${"if true { ".repeat(40)}keep;${" }".repeat(40)}`;
    assert.match(firstError(deep).message, /nested deeper than 32/);
    const deepTests = `if ${"not ".repeat(5000)}true { keep; }`;
    assert.match(firstError(deepTests).message, /nested deeper than 32/);
    const deepList = `if ${"anyof(".repeat(5000)}true${")".repeat(5000)} { keep; }`;
    assert.match(firstError(deepList).message, /nested deeper than 32/);
  });

  it("encoded-character: an invalid code point is an error (RFC 5228 §2.4.2.4)", () => {
    const error = firstError('require ["encoded-character", "fileinto"];\nfileinto "$' + '{unicode:D800}";');
    assert.match(error.message, /invalid Unicode code point/);
    assert.equal(error.line, 2);
  });
});
