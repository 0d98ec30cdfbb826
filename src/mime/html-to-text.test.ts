import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { htmlToText } from "./html-to-text.js";

describe("htmlToText", () => {
  it("drops tags, script, style and comments, decodes entities", () => {
    const html = "<html><head><style>p{}</style></head><body><!-- c --><p>A&amp;B&nbsp;&#233;&#x263A;</p>";
    assert.equal(htmlToText(`${html}<script>x()</script>t<b>ex</b>t</body></html>`).trim(), "A&B é☺\ntext");
  });

  it("is tolerant of broken markup", () => {
    assert.equal(htmlToText("a < b and <unclosed"), "a ");
    assert.equal(htmlToText("&bogus; &#99999999;"), "&bogus; &#99999999;");
    assert.equal(htmlToText("<style>never closed"), "");
  });
});
