import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { asEmailId } from "../kit/ids.js";
import { indexMessage } from "../mime/index/index-message.js";
import { blobIdOf, bodyListsOf, bodyValueOf, findSection, locateParts, parseBlobId } from "./email-body.js";

const message = (lines: string[]) => Buffer.from(lines.join("\r\n"));
const sections = (parts: readonly { section: string | null }[]) => parts.map((p) => p.section);

describe("RFC 8621 §4.1.4 body parts", () => {
  it("numbers a single-part message's body 1 and lists it as text and html body", () => {
    const raw = message(["Subject: x", "", "hello", ""]);
    const root = locateParts(indexMessage(raw).root);
    assert.equal(root.section, "1");
    const lists = bodyListsOf(root);
    assert.deepEqual(
      [sections(lists.textBody), sections(lists.htmlBody), sections(lists.attachments)],
      [["1"], ["1"], []],
    );
  });

  it("splits multipart/alternative into text and html, attachments apart, inline images in both lists", () => {
    const raw = message([
      'Content-Type: multipart/mixed; boundary="m"',
      "",
      "--m",
      'Content-Type: multipart/alternative; boundary="a"',
      "",
      "--a",
      "Content-Type: text/plain",
      "",
      "plain",
      "--a",
      "Content-Type: text/html",
      "",
      "<p>html</p>",
      "--a--",
      "--m",
      "Content-Type: image/png",
      "Content-Disposition: inline",
      "",
      "png",
      "--m",
      "Content-Type: application/pdf",
      'Content-Disposition: attachment; filename="a.pdf"',
      "",
      "pdf",
      "--m--",
      "",
    ]);
    const root = locateParts(indexMessage(raw).root);
    assert.equal(root.section, null);
    const lists = bodyListsOf(root);
    assert.deepEqual(sections(lists.textBody), ["1.1", "2"]);
    assert.deepEqual(sections(lists.htmlBody), ["1.2", "2"]);
    assert.deepEqual(sections(lists.attachments), ["3"]);
    assert.equal(findSection(root, "1.2")?.node.subtype, "html");
    assert.equal(findSection(root, "4"), null);
  });

  it("uses the text part for html when an alternative has no html", () => {
    const raw = message([
      'Content-Type: multipart/alternative; boundary="a"',
      "",
      "--a",
      "Content-Type: text/plain",
      "",
      "only text",
      "--a--",
      "",
    ]);
    const lists = bodyListsOf(locateParts(indexMessage(raw).root));
    assert.deepEqual([sections(lists.textBody), sections(lists.htmlBody)], [["1"], ["1"]]);
  });

  it("decodes body values with their charset and cuts at a character boundary", () => {
    const raw = message([
      "Content-Type: text/plain; charset=iso-8859-1",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      "caf=E9 cr=E8me",
      "",
    ]);
    const node = locateParts(indexMessage(raw).root).node;
    assert.equal(bodyValueOf(raw, node, 0).value, "café crème\r\n");
    assert.deepEqual(bodyValueOf(raw, node, 4), {
      value: "caf",
      isEncodingProblem: false,
      isTruncated: true,
    });
    const unknown = message(["Content-Type: text/plain; charset=x-no-such", "", "abc", ""]);
    assert.equal(
      bodyValueOf(unknown, locateParts(indexMessage(unknown).root).node, 0).isEncodingProblem,
      true,
    );
  });

  it("round-trips blob ids and refuses others", () => {
    const id = asEmailId("E0abc");
    assert.deepEqual(parseBlobId(blobIdOf(id)), { emailId: id, section: null });
    assert.deepEqual(parseBlobId(blobIdOf(id, "2.10.1")), { emailId: id, section: "2.10.1" });
    for (const bad of ["", "B", "E0abc", "B_1", "BE0abc_0", "BE0abc_1_", "BE0/abc"])
      assert.equal(parseBlobId(bad), null, bad);
  });
});
