// Routing by MX (RFC 5321 §5.1, RFC 7505) against the loopback DNS server: preference order, the
// implicit MX, null MX, a domain that does not exist, a broken zone, and address literals.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startDnsServer, type TestDnsServer } from "../../test/helpers/dns-server.js";
import { createDnsResolver, type DnsResolver } from "../net/dns-resolver.js";
import { routeToMx } from "./route.js";

describe("routeToMx", () => {
  let server: TestDnsServer;
  let dns: DnsResolver;
  before(async () => {
    server = await startDnsServer({
      "two.test": {
        MX: [
          { exchange: "backup.two.test", priority: 20 },
          { exchange: "primary.two.test", priority: 10 },
        ],
      },
      "primary.two.test": { A: ["127.0.0.2"] },
      "backup.two.test": { A: ["127.0.0.3"], AAAA: ["::1"] },
      "implicit.test": { A: ["127.0.0.4"] },
      "null.test": { MX: [{ exchange: "", priority: 0 }] },
      "broken.test": { servfail: true },
      "nohosts.test": { MX: [{ exchange: "gone.nohosts.test", priority: 10 }] },
    });
    dns = createDnsResolver({ servers: [server.address], timeoutMs: 2000, tries: 1 });
  });
  after(() => server.close());

  const hostsOf = async (domain: string) => {
    const route = await routeToMx(domain, dns, 2525);
    assert.equal(route.kind, "hosts", JSON.stringify(route));
    return route.kind === "hosts" ? route.targets.map((t) => `${t.servername}[${t.host}]:${t.port}`) : [];
  };

  it("tries MX hosts by preference, each at its addresses", async () => {
    assert.deepEqual(await hostsOf("two.test"), [
      "primary.two.test[127.0.0.2]:2525",
      "backup.two.test[127.0.0.3]:2525",
      "backup.two.test[::1]:2525",
    ]);
  });

  it("uses the domain itself without MX records, and address literals as they are", async () => {
    assert.deepEqual(await hostsOf("implicit.test"), ["implicit.test[127.0.0.4]:2525"]);
    assert.deepEqual(await hostsOf("[127.0.0.9]"), ["127.0.0.9[127.0.0.9]:2525"]);
  });

  it("fails for good on a null MX, an unknown domain and MX hosts without addresses", async () => {
    for (const [domain, reply] of [
      ["null.test", /^556 5\.1\.10 /],
      ["unknown.test", /^550 5\.1\.2 /],
      ["nohosts.test", /^550 5\.4\.4 /],
    ] as const) {
      const route = await routeToMx(domain, dns, 25);
      assert.equal(route.kind, "none", domain);
      if (route.kind === "none") {
        assert.equal(route.isPermanent, true, domain);
        assert.match(route.reply, reply, domain);
      }
    }
  });

  it("a broken zone is a temporary failure", async () => {
    const route = await routeToMx("broken.test", dns, 25);
    assert.equal(route.kind, "none");
    if (route.kind === "none") {
      assert.equal(route.isPermanent, false);
      assert.match(route.reply, /^451 4\.4\.3 /);
    }
  });
});
