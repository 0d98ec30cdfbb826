import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAIL_ERROR_CODES, MailError } from "../../kit/mail-error.js";
import { formatReply } from "../wire/smtp-reply.js";
import { replyForError } from "./error-mapping.js";

const line = (code: Parameters<typeof replyForError>[0]["code"], quotaPermanent = false) =>
  formatReply(replyForError(new MailError(code, "x"), { quotaPermanent }));

describe("SMTP error mapping", () => {
  it("maps the codes the issue names", () => {
    assert.match(line("overQuota"), /^452 4\.2\.2 /);
    assert.match(line("overQuota", true), /^552 5\.2\.2 /);
    assert.match(line("nonexistent"), /^550 5\.1\.1 /);
    assert.match(line("tooBig"), /^552 5\.3\.4 /);
    assert.match(line("unavailable"), /^451 4\.3\.0 /);
  });

  it("serverBug shows only the id text, never the cause", () => {
    const error = new MailError("serverBug", "Internal error (abc123)", {
      cause: new Error("SQLITE secret path"),
    });
    assert.equal(
      formatReply(replyForError(error, { quotaPermanent: false })),
      "451 4.3.0 Internal error (abc123)\r\n",
    );
  });

  it("every code maps to a well-formed reply whose class matches its enhanced code", () => {
    for (const code of MAIL_ERROR_CODES) {
      const r = replyForError(new MailError(code, "x"), { quotaPermanent: false });
      assert.ok(r.code >= 400 && r.code < 600, code);
      assert.equal(String(r.enhanced)[0], String(r.code)[0], code);
    }
  });
});
