import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { selectPartial } from "./partial-window.js";

describe("selectPartial (RFC 9394 ranges)", () => {
  const items = [10, 20, 30, 40, 50];
  it("counts positive ranges from the first item", () => {
    assert.deepEqual(selectPartial(items, { first: 1, last: 2 }), [10, 20]);
    assert.deepEqual(selectPartial(items, { first: 4, last: 100 }), [40, 50]);
    assert.deepEqual(selectPartial(items, { first: 6, last: 9 }), []);
  });
  it("counts negative ranges from the last item", () => {
    assert.deepEqual(selectPartial(items, { first: -1, last: -2 }), [40, 50]);
    assert.deepEqual(selectPartial(items, { first: -2, last: -2 }), [40]);
    assert.deepEqual(selectPartial(items, { first: -3, last: -100 }), [10, 20, 30]);
    assert.deepEqual(selectPartial(items, { first: -6, last: -9 }), []);
  });
  it("agrees with slicing for every range over 0..12 items", () => {
    for (let n = 0; n <= 12; n++) {
      const list = Array.from({ length: n }, (_, i) => i + 1);
      for (let a = 1; a <= 14; a++)
        for (let b = a; b <= 14; b++) {
          assert.deepEqual(
            selectPartial(list, { first: a, last: b }),
            list.filter((_, i) => i + 1 >= a && i + 1 <= b),
          );
          assert.deepEqual(
            selectPartial(list, { first: -a, last: -b }),
            list.filter((_, i) => n - i >= a && n - i <= b),
          );
        }
    }
  });
});
