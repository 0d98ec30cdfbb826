import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { silentLogger } from "../kit/logger.js";
import { createTlsContext, generateSelfSigned, loadTlsMaterial } from "./tls.js";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "postfach-tls-"));
});
after(() => rm(dir, { recursive: true, force: true }));

test("a self-signed certificate is generated once into <dataDir>/tls and reused", async () => {
  const dataDir = join(dir, "data");
  const first = await loadTlsMaterial({ dataDir, hostname: "mx.example.test", log: silentLogger });
  const keyMode = (await stat(join(dataDir, "tls", "key.pem"))).mode & 0o777;
  assert.equal(keyMode, 0o600);
  assert.equal(await readFile(join(dataDir, "tls", "cert.pem"), "utf8"), first.cert);
  const second = await loadTlsMaterial({ dataDir, hostname: "mx.example.test", log: silentLogger });
  assert.deepEqual(second, first);

  const cert = new X509Certificate(first.cert);
  assert.match(cert.subjectAltName ?? "", /DNS:mx\.example\.test/);
  assert.match(cert.subjectAltName ?? "", /DNS:localhost/);
  assert.match(cert.subjectAltName ?? "", /IP Address:127\.0\.0\.1/);
  assert.ok(cert.checkHost("localhost"));
  assert.ok(cert.checkIP("127.0.0.1"));
  const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
  assert.ok(days > 700 && days < 740, `validity ${days} days`);
  assert.ok(cert.checkPrivateKey((await import("node:crypto")).createPrivateKey(first.key)));
  createTlsContext(first, "TLSv1.3");
});

test("configured PEM files are read as they are", async () => {
  const material = await generateSelfSigned("configured.test");
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  await writeFile(certPath, material.cert);
  await writeFile(keyPath, material.key);
  const loaded = await loadTlsMaterial({
    certPath,
    keyPath,
    dataDir: join(dir, "unused"),
    hostname: "x",
    log: silentLogger,
  });
  assert.deepEqual(loaded, material);
  await assert.rejects(stat(join(dir, "unused")));
});

test("a missing configured file is an error naming the path", async () => {
  const certPath = join(dir, "nope.pem");
  await assert.rejects(
    loadTlsMaterial({ certPath, keyPath: certPath, dataDir: dir, hostname: "x", log: silentLogger }),
    new RegExp(`cannot read TLS certificate ${certPath}`),
  );
});
