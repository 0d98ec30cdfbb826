// The configurable resolver against the loopback DNS server: every record type the mail paths use, the
// node error codes for a missing name and a missing type, a large TXT record (TCP fallback), a server
// failure, and a server that does not answer.
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { after, before, test } from "node:test";
import { loadConfig } from "../src/config/load-config.js";
import { createDnsResolver, type DnsResolver, isNoRecordsError } from "../src/net/dns-resolver.js";
import { reverseName, startDnsServer, type TestDnsServer } from "./helpers/dns-server.js";

let dns: TestDnsServer;
let resolver: DnsResolver;
const longTxt = `v=DKIM1; k=rsa; p=${"A".repeat(700)}`;

before(async () => {
  dns = await startDnsServer({
    "example.test": {
      MX: [
        { exchange: "mx2.example.test", priority: 20 },
        { exchange: "mx1.example.test", priority: 10 },
      ],
      TXT: ["v=spf1 ip4:127.0.0.1 -all"],
      A: ["192.0.2.1"],
      AAAA: ["2001:db8::1"],
    },
    "big._domainkey.example.test": { TXT: [longTxt] },
    [reverseName("127.0.0.1")]: { PTR: ["localhost.example.test"] },
    [reverseName("2001:db8::1")]: { PTR: ["v6.example.test"] },
    "broken.test": { servfail: true },
  });
  resolver = createDnsResolver({ servers: [dns.address], timeoutMs: 2000, tries: 1 });
});
after(() => dns.close());

test("answers MX, TXT, A, AAAA and PTR from the loopback server", async () => {
  const mx = await resolver.resolveMx("example.test");
  assert.deepEqual(
    [...mx].sort((a, b) => a.priority - b.priority),
    [
      { exchange: "mx1.example.test", priority: 10 },
      { exchange: "mx2.example.test", priority: 20 },
    ],
  );
  assert.deepEqual(await resolver.resolveTxt("EXAMPLE.test"), [["v=spf1 ip4:127.0.0.1 -all"]]);
  assert.deepEqual(await resolver.resolve4("example.test"), ["192.0.2.1"]);
  assert.deepEqual(await resolver.resolve6("example.test"), ["2001:db8::1"]);
  assert.deepEqual(await resolver.reverse("127.0.0.1"), ["localhost.example.test"]);
  assert.deepEqual(await resolver.reverse("2001:db8::1"), ["v6.example.test"]);
  assert.deepEqual(await resolver.resolve("example.test", "TXT"), [["v=spf1 ip4:127.0.0.1 -all"]]);
  assert.ok(dns.queries.includes("example.test MX"));
});

test("a TXT answer over 512 bytes arrives whole (EDNS0 size or TC and a TCP retry)", async () => {
  const [record] = await resolver.resolveTxt("big._domainkey.example.test");
  assert.equal(record?.join(""), longTxt);
});

test("a missing name is ENOTFOUND, a missing type ENODATA: both mean 'no records'", async () => {
  await assert.rejects(resolver.resolveMx("nowhere.test"), (error: NodeJS.ErrnoException) => {
    assert.equal(error.code, "ENOTFOUND");
    return isNoRecordsError(error);
  });
  await assert.rejects(resolver.resolveMx("big._domainkey.example.test"), (error: NodeJS.ErrnoException) => {
    assert.equal(error.code, "ENODATA");
    return isNoRecordsError(error);
  });
});

test("a server failure is a temporary error, not 'no records'", async () => {
  await assert.rejects(resolver.resolveTxt("broken.test"), (error: NodeJS.ErrnoException) => {
    assert.equal(error.code, "ESERVFAIL");
    return !isNoRecordsError(error);
  });
});

test("a server that never answers fails with ETIMEOUT", async () => {
  const silent = createSocket("udp4");
  await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", () => resolve()));
  try {
    const port = silent.address().port;
    const mute = createDnsResolver({ servers: [`127.0.0.1:${port}`], timeoutMs: 200, tries: 1 });
    await assert.rejects(mute.resolveMx("example.test"), (error: NodeJS.ErrnoException) => {
      assert.equal(error.code, "ETIMEOUT");
      return !isNoRecordsError(error);
    });
  } finally {
    silent.close();
  }
});

test("[dns] servers accepts ip, ip:port and [v6]:port and rejects anything else", async () => {
  const { writeFile, mkdtemp, rm } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const dir = await mkdtemp(join(tmpdir(), "postfach-dns-config-"));
  try {
    const path = join(dir, "postfach.toml");
    await writeFile(path, '[dns]\nservers = ["127.0.0.1:5353", "10.0.0.1", "[::1]:53", "::1"]\ntries = 3\n');
    const config = await loadConfig({ path, env: {} });
    assert.deepEqual(config.dns.servers, ["127.0.0.1:5353", "10.0.0.1", "[::1]:53", "::1"]);
    assert.equal(config.dns.tries, 3);
    for (const bad of ['"dns.example.test"', '"127.0.0.1:99999"', '"1.2.3:53"', "53"]) {
      await writeFile(path, `[dns]\nservers = [${bad}]\n`);
      await assert.rejects(loadConfig({ path, env: {} }), /dns\.servers/, bad);
    }
    const defaults = await loadConfig({ env: {} });
    assert.deepEqual(defaults.dns.servers, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
