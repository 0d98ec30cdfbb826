import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MethodError } from "./jmap-error.js";
import { evaluatePointer, type Invocation, resolveResultReferences } from "./result-reference.js";

const isReferenceError = (error: unknown) =>
  error instanceof MethodError && error.type === "invalidResultReference";

describe("RFC 8620 §3.7 result references", () => {
  const result = {
    ids: ["a", "b"],
    list: [
      { id: "a", threadId: "t1", tags: ["x", "y"] },
      { id: "b", threadId: "t2", tags: ["z"] },
    ],
    "we/ird~key": 7,
  };

  it("evaluates JSON Pointers (RFC 6901) with ~0 and ~1 escapes", () => {
    assert.deepEqual(evaluatePointer(result, "/ids"), ["a", "b"]);
    assert.equal(evaluatePointer(result, "/list/1/id"), "b");
    assert.equal(evaluatePointer(result, "/we~1ird~0key"), 7);
    assert.deepEqual(evaluatePointer(result, ""), result);
  });

  it("maps * over arrays and flattens arrays it produces", () => {
    assert.deepEqual(evaluatePointer(result, "/list/*/threadId"), ["t1", "t2"]);
    assert.deepEqual(evaluatePointer(result, "/list/*/tags"), ["x", "y", "z"]);
  });

  it("refuses missing paths, out-of-range and malformed indexes, and pointers without /", () => {
    for (const path of ["/nope", "/list/2/id", "/list/01/id", "/list/-1", "ids", "/ids/*/x"]) {
      assert.throws(() => evaluatePointer(result, path), isReferenceError, path);
    }
  });

  it("replaces #name arguments by the referenced value and checks name and call id", () => {
    const responses: Invocation[] = [["Email/query", result, "q"]];
    const ref = { resultOf: "q", name: "Email/query", path: "/ids" };
    assert.deepEqual(resolveResultReferences({ "#ids": ref, other: 1 }, responses), {
      ids: ["a", "b"],
      other: 1,
    });
    assert.throws(
      () => resolveResultReferences({ "#ids": { ...ref, resultOf: "x" } }, responses),
      isReferenceError,
    );
    assert.throws(
      () => resolveResultReferences({ "#ids": { ...ref, name: "Email/get" } }, responses),
      isReferenceError,
    );
    assert.throws(() => resolveResultReferences({ "#ids": "not an object" }, responses), isReferenceError);
    assert.throws(
      () => resolveResultReferences({ ids: [], "#ids": ref }, responses),
      (error: unknown) => error instanceof MethodError && error.type === "invalidArguments",
    );
  });
});
