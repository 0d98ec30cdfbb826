// TLS material and context: configured PEM files, or a self-signed certificate generated once into
// <dataDir>/tls/ and reused; one SecureContext serves implicit-TLS listeners and STARTTLS (RFC 8314, RFC 2595).
import { X509Certificate } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import { createSecureContext, type SecureContext } from "node:tls";
import { generate } from "selfsigned";
import type { Logger } from "../kit/logger.js";

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
}

export interface LoadTlsOptions {
  /** Configured PEM paths; both empty (or absent) means "use or generate the self-signed pair". */
  readonly certPath?: string;
  readonly keyPath?: string;
  readonly dataDir: string;
  /** Goes into the generated certificate's subject and SAN. */
  readonly hostname: string;
  readonly log: Logger;
}

const VALIDITY_DAYS = 730;
/** A generated certificate this close to expiry is replaced at start. */
const RENEW_BEFORE_MS = 14 * 24 * 3600 * 1000;

/** Reads the configured PEM pair, or returns the generated one (creating it on first start). */
export async function loadTlsMaterial(options: LoadTlsOptions): Promise<TlsMaterial> {
  const certPath = options.certPath ?? "";
  const keyPath = options.keyPath ?? "";
  if (certPath !== "" || keyPath !== "") {
    if (certPath === "" || keyPath === "") throw new Error("TLS needs both a certificate and a key path");
    return { cert: await readPem(certPath, "certificate"), key: await readPem(keyPath, "key") };
  }
  const dir = join(options.dataDir, "tls");
  const existing = await readGenerated(dir);
  if (existing !== undefined && !isExpiring(existing.cert)) return existing;
  const material = await generateSelfSigned(options.hostname);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeAtomically(join(dir, "key.pem"), material.key, 0o600);
  await writeAtomically(join(dir, "cert.pem"), material.cert, 0o644);
  options.log.warn(
    { certPath: join(dir, "cert.pem"), fingerprint256: new X509Certificate(material.cert).fingerprint256 },
    "generated a self-signed TLS certificate; configure [tls] cert and key for production",
  );
  return material;
}

/**
 * Forward-secret AEAD suites only (RFC 9325 §4.2): the TLS 1.3 suites, then ECDHE with AES-GCM or
 * ChaCha20-Poly1305 for TLS 1.2. No CBC, no RSA key exchange, no SHA-1 MACs.
 */
export const TLS_CIPHERS = [
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "TLS_AES_128_GCM_SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
].join(":");

/** The context for tls servers and for `new TLSSocket(socket, { isServer: true, secureContext })`. */
export function createTlsContext(material: TlsMaterial, minVersion: "TLSv1.2" | "TLSv1.3"): SecureContext {
  return createSecureContext({
    cert: material.cert,
    key: material.key,
    minVersion,
    ciphers: TLS_CIPHERS,
    honorCipherOrder: true,
  });
}

/** A self-signed RSA-2048 certificate for `hostname`, localhost, 127.0.0.1 and ::1, valid ~2 years. */
export async function generateSelfSigned(hostname: string): Promise<TlsMaterial> {
  const names = [...new Set([hostname, "localhost", "127.0.0.1", "::1"])];
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + VALIDITY_DAYS * 24 * 3600 * 1000);
  const pems = await generate([{ name: "commonName", value: hostname }], {
    keyType: "rsa",
    keySize: 2048,
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: names.map((name) => (isIP(name) === 0 ? { type: 2, value: name } : { type: 7, ip: name })),
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read TLS ${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
}

async function readGenerated(dir: string): Promise<TlsMaterial | undefined> {
  try {
    const [cert, key] = await Promise.all([
      readFile(join(dir, "cert.pem"), "utf8"),
      readFile(join(dir, "key.pem"), "utf8"),
    ]);
    return { cert, key };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function isExpiring(certPem: string): boolean {
  const validTo = Date.parse(new X509Certificate(certPem).validTo);
  return validTo - Date.now() < RENEW_BEFORE_MS;
}

// Write then rename, so a crash or a concurrent start never leaves half a PEM behind.
async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode });
  await rename(temporary, path);
}
