import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Uid } from "../kit/ids.js";
import { uidRuns } from "./uid-runs.js";

const runsOf = (uids: readonly number[]) => uidRuns(uids as readonly Uid[]);

describe("uidRuns", () => {
  it("joins consecutive UIDs into one run", () => {
    assert.deepEqual(runsOf([1, 2, 3, 4]), [[1, 4]]);
  });

  it("breaks runs at gaps, sorting and dropping duplicates when the input is out of order", () => {
    assert.deepEqual(runsOf([9, 1, 3, 2, 3, 7, 4294967295]), [
      [1, 3],
      [7, 7],
      [9, 9],
      [4294967295, 4294967295],
    ]);
  });

  it("gives no runs for no UIDs", () => {
    assert.deepEqual(runsOf([]), []);
  });
});
