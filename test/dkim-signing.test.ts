// DKIM signing end to end: `postfach domain dkim generate` makes and stores a key and prints the TXT
// record; the record is published on the loopback DNS server; the signer used by the outbound path signs
// a message; and mailauth's verifier, resolving through the configurable resolver, finds it valid.
// A changed body fails, and a domain without a key is sent unsigned.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import { loadConfig } from "../src/config/load-config.js";
import { createDnsResolver, type DnsResolver } from "../src/net/dns-resolver.js";
import { openServices, type Services } from "../src/services.js";
import { startDnsServer, type TestDnsServer } from "./helpers/dns-server.js";
import { postfach } from "./helpers/postfach-cli.js";

const MESSAGE = Buffer.from(
  [
    "From: Alice <alice@signed.test>",
    "To: bob@elsewhere.test",
    "Subject: Signed =?utf-8?q?gr=C3=BC=C3=9Fe?=",
    "Date: Thu, 26 Nov 2026 10:00:00 +0000",
    "Message-ID: <dkim-1@signed.test>",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Hello Bob,",
    "",
    ".a line starting with a dot, and trailing spaces   ",
    "",
  ].join("\r\n"),
);

describe("DKIM signing of outbound mail", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let dns: TestDnsServer;
  let resolver: DnsResolver;
  // mailauth types its resolver's answers as strings only; node's shapes (MX objects) are what it uses.
  const lookup = (name: string, rrtype: string) => resolver.resolve(name, rrtype) as Promise<string[][]>;
  let services: Services;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "postfach-dkim-"));
    env = { POSTFACH_DATA: join(dir, "data"), POSTFACH_CONFIG: "" };
    dns = await startDnsServer();
    resolver = createDnsResolver({ servers: [dns.address], timeoutMs: 2000, tries: 1 });
    const config = await loadConfig({ env });
    services = await openServices({ ...config, dns: { servers: [dns.address], timeoutMs: 2000, tries: 1 } });
    for (const domain of ["signed.test", "edwards.test", "plain.test"]) {
      await services.store.domains.addDomain(domain);
    }
  });
  after(async () => {
    await services.close();
    await dns.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Publishes what `generate --json` printed, as an operator would paste it into the zone. */
  async function generate(args: readonly string[]): Promise<{ selector: string; dnsName: string }> {
    const result = await postfach(["domain", "dkim", "generate", ...args, "--json"], env);
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as { selector: string; dnsName: string; dnsValue: string };
    assert.doesNotMatch(result.stdout, /PRIVATE KEY/);
    dns.set(printed.dnsName, { TXT: [printed.dnsValue] });
    return printed;
  }

  it("generate prints the record, refuses a second key and a non-local domain, show repeats it", async () => {
    const printed = await generate(["signed.test", "--selector", "mail2026"]);
    assert.equal(printed.selector, "mail2026");
    assert.equal(printed.dnsName, "mail2026._domainkey.signed.test");
    const again = await postfach(["domain", "dkim", "generate", "signed.test"], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already has a DKIM key/);
    const foreign = await postfach(["domain", "dkim", "generate", "not-ours.test"], env);
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /not a local domain/);
    const shown = await postfach(["domain", "dkim", "show", "signed.test"], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /mail2026\._domainkey\.signed\.test/);
    assert.match(shown.stdout, /v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}/);
    // The zone line cuts the value into quoted strings of at most 255 characters.
    const zoneStrings = [...shown.stdout.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? "");
    assert.ok(zoneStrings.length >= 2 && zoneStrings.every((s) => s.length <= 255));
    await generate(["edwards.test", "--algorithm", "ed25519"]);
  });

  it("a signed message verifies with mailauth through the loopback DNS", async () => {
    const signed = await services.dkim.signOutbound("Signed.TEST", MESSAGE);
    assert.match(signed.toString("latin1"), /^DKIM-Signature: .*d=signed\.test/s);
    assert.ok(signed.subarray(signed.length - MESSAGE.length).equals(MESSAGE), "original bytes follow");

    const verified = await dkimVerify(signed, { resolver: lookup });
    assert.equal(verified.results.length, 1);
    assert.equal(verified.results[0]?.status.result, "pass", JSON.stringify(verified.results[0]?.status));
    assert.ok(dns.queries.includes("mail2026._domainkey.signed.test TXT"));

    const tampered = Buffer.from(signed.toString("latin1").replace("Hello Bob", "Hello Eve"), "latin1");
    const failed = await dkimVerify(tampered, { resolver: lookup });
    assert.equal(failed.results[0]?.status.result, "neutral");
    assert.match(failed.results[0]?.status.comment ?? "", /body hash did not verify/);
  });

  it("an Ed25519 key signs too (RFC 8463)", async () => {
    const message = Buffer.from(
      MESSAGE.toString("latin1").replaceAll("signed.test", "edwards.test"),
      "latin1",
    );
    const signed = await services.dkim.signOutbound("edwards.test", message);
    assert.match(signed.toString("latin1"), /a=ed25519-sha256/);
    const verified = await dkimVerify(signed, { resolver: lookup });
    assert.equal(verified.results[0]?.status.result, "pass", JSON.stringify(verified.results[0]?.status));
  });

  it("mail from a domain without a key goes out unchanged; delete stops signing", async () => {
    const plain = await services.dkim.signOutbound("plain.test", MESSAGE);
    assert.ok(plain.equals(MESSAGE));
    const deleted = await postfach(["domain", "dkim", "delete", "edwards.test"], env);
    assert.equal(deleted.code, 0, deleted.stderr);
    const after = await services.dkim.signOutbound("edwards.test", MESSAGE);
    assert.ok(after.equals(MESSAGE));
    const listed = await postfach(["domain", "dkim", "list", "--json"], env);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { domain: string }[]).map((k) => k.domain),
      ["signed.test"],
    );
  });
});
