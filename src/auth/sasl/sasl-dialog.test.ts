import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MailError } from "../../kit/mail-error.js";
import type { AccountRecord } from "../../store/mail-store.js";
import { MAX_SASL_STEPS, runSaslDialog, type SaslAnswer } from "./sasl-dialog.js";
import type { SaslExchange } from "./sasl-exchange.js";

const ACCOUNT = { id: "a1", address: "alice@example.test" } as unknown as AccountRecord;

/** Challenges with "more" until it is given "ok" (success) or "no" (refused); records what it was fed. */
function fakeExchange(fed: (string | null)[]): SaslExchange {
  return {
    async step(response) {
      const text = response === null ? null : response.toString("utf8");
      fed.push(text);
      if (text === "ok") return { kind: "success", account: ACCOUNT };
      if (text === "no") throw new MailError("authFailed", "Authentication failed");
      if (text === "bad") return { kind: "malformed", reason: "bad syntax" };
      return { kind: "challenge", data: Buffer.from("more") };
    },
  };
}

const b64 = (text: string) => Buffer.from(text).toString("base64");

/** Answers the challenges in turn and records them. */
function scripted(answers: SaslAnswer<"gone">[], challenges: string[]) {
  return async (challenge: Buffer): Promise<SaslAnswer<"gone">> => {
    challenges.push(challenge.toString("utf8"));
    return answers.shift() ?? { kind: "stop", stop: "gone" };
  };
}

describe("runSaslDialog", () => {
  it("decodes the initial response and later ones, and ends in success", async () => {
    const fed: (string | null)[] = [];
    const challenges: string[] = [];
    const outcome = await runSaslDialog(
      fakeExchange(fed),
      b64("hello"),
      scripted([{ kind: "response", text: b64("ok") }], challenges),
    );
    assert.deepEqual(outcome, { kind: "success", account: ACCOUNT });
    assert.deepEqual(fed, ["hello", "ok"]);
    assert.deepEqual(challenges, ["more"]);
  });

  it("steps with null when there is no initial response; '=' is an empty one", async () => {
    const fed: (string | null)[] = [];
    await runSaslDialog(fakeExchange(fed), null, scripted([], []));
    await runSaslDialog(fakeExchange(fed), "=", scripted([], []));
    assert.deepEqual(fed, [null, ""]);
  });

  it("turns refused credentials into 'failed' and keeps malformed input apart", async () => {
    const failed = await runSaslDialog(fakeExchange([]), b64("no"), scripted([], []));
    assert.equal(failed.kind, "failed");
    assert.equal(failed.kind === "failed" && failed.error.code, "authFailed");
    assert.deepEqual(await runSaslDialog(fakeExchange([]), b64("bad"), scripted([], [])), {
      kind: "malformed",
      reason: "bad syntax",
    });
  });

  it("rethrows errors other than authFailed", async () => {
    const broken: SaslExchange = {
      step: async () => {
        throw new Error("store down");
      },
    };
    await assert.rejects(runSaslDialog(broken, null, scripted([], [])), /store down/);
  });

  it("reports invalid base64, initial or later, without stepping", async () => {
    const fed: (string | null)[] = [];
    assert.deepEqual(await runSaslDialog(fakeExchange(fed), "not base64!", scripted([], [])), {
      kind: "invalidBase64",
      isInitial: true,
    });
    assert.deepEqual(fed, []);
    assert.deepEqual(
      await runSaslDialog(fakeExchange(fed), null, scripted([{ kind: "response", text: "%%" }], [])),
      { kind: "invalidBase64", isInitial: false },
    );
    assert.deepEqual(fed, [null]);
  });

  it("passes a cancel and a protocol's stop through", async () => {
    assert.deepEqual(await runSaslDialog(fakeExchange([]), null, scripted([{ kind: "cancel" }], [])), {
      kind: "cancelled",
    });
    assert.deepEqual(await runSaslDialog(fakeExchange([]), null, scripted([], [])), {
      kind: "stopped",
      stop: "gone",
    });
  });

  it(`stops an exchange after ${MAX_SASL_STEPS} steps`, async () => {
    const fed: (string | null)[] = [];
    const challenges: string[] = [];
    const answers = Array.from({ length: 10 }, () => ({ kind: "response" as const, text: b64("again") }));
    const outcome = await runSaslDialog(fakeExchange(fed), null, scripted(answers, challenges));
    assert.deepEqual(outcome, { kind: "tooManySteps" });
    assert.equal(fed.length, MAX_SASL_STEPS);
    assert.equal(challenges.length, MAX_SASL_STEPS);
  });
});
