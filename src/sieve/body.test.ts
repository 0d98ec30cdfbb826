// RFC 5173 body test: the examples of §7 (:text, :content with type and subtype), :raw, and a body whose
// text is base64 and quoted-printable encoded.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { actionsOf, messageText, summarize } from "./sieve.testkit.js";

const MULTIPART = messageText(
  ["From: a@b.example", "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="b1"'],
  [
    "--b1",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "Meet at the missile silo, bring the coordinates. Gr=C3=BC=C3=9Fe",
    "--b1",
    "Content-Type: audio/mp3",
    "Content-Transfer-Encoding: base64",
    "",
    "AAAA",
    "--b1",
    "Content-Type: text/html; charset=us-ascii",
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.from("<p>MAKE <b>MONEY</b> FAST</p>").toString("base64"),
    "--b1--",
    "",
  ].join("\r\n"),
);

describe("RFC 5173 body", () => {
  it("§7 :text :contains discards make-money-fast (html converted to text)", async () => {
    const script = 'require "body";\nif body :text :contains "MAKE MONEY FAST" { discard; }';
    assert.deepEqual(summarize(await actionsOf(script, { text: MULTIPART })), ["discard"]);
  });

  it('§7 :content "text" and :content "audio/mp3"', async () => {
    const script = `require ["body", "fileinto"];
if body :content "text" :contains ["missile", "coordinates"] { fileinto "secrets"; }
if body :content "audio/mp3" :contains "" { fileinto "jukebox"; }
if body :content "video" :contains "" { fileinto "movies"; }`;
    assert.deepEqual(summarize(await actionsOf(script, { text: MULTIPART })), [
      "fileinto:secrets",
      "fileinto:jukebox",
    ]);
  });

  it("text is transfer-decoded and in UTF-8", async () => {
    const script = 'require "body";\nif body :contains "Grüße" { discard; }';
    assert.deepEqual(summarize(await actionsOf(script, { text: MULTIPART })), ["discard"]);
  });

  it(":raw sees the undecoded body, MIME boundaries included", async () => {
    const raw = 'require "body";\nif body :raw :contains "Gr=C3=BC" { discard; }';
    assert.deepEqual(summarize(await actionsOf(raw, { text: MULTIPART })), ["discard"]);
    const decoded = 'require "body";\nif body :text :contains "Gr=C3=BC" { discard; }';
    assert.deepEqual(summarize(await actionsOf(decoded, { text: MULTIPART })), ["implicit-keep"]);
  });

  it("a single-part message without Content-Type is text/plain", async () => {
    const script = 'require "body";\nif body :matches "*present*" { discard; }';
    assert.deepEqual(
      summarize(await actionsOf(script, { text: messageText(["Subject: x"], "A present!\r\n") })),
      ["discard"],
    );
  });
});
