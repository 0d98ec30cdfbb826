// The client side of SCRAM-SHA-256[-PLUS] (RFC 5802 §3, RFC 7677), written independently of the server
// code, so end-to-end tests prove interoperability rather than agreement with ourselves.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

export interface ScramClient {
  /** client-first-message. */
  readonly first: string;
  /** client-final-message for the server-first-message. */
  final(serverFirst: string): string;
  /** Whether the server-final-message proves the server knew the keys. */
  verifyServer(serverFinal: string): boolean;
}

export function scramClient(
  username: string,
  password: string,
  binding?: { type: string; data: Buffer },
): ScramClient {
  const header = binding ? `p=${binding.type},,` : "n,,";
  const nonce = randomBytes(18).toString("base64");
  const bare = `n=${username.replace(/=/g, "=3D").replace(/,/g, "=2C")},r=${nonce}`;
  let serverSignature = Buffer.alloc(0);
  const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();
  return {
    first: header + bare,
    final(serverFirst) {
      const fields = Object.fromEntries(serverFirst.split(",").map((f) => [f[0], f.slice(2)]));
      const combined = fields.r as string;
      if (!combined.startsWith(nonce)) throw new Error("server nonce does not extend ours");
      const salted = pbkdf2Sync(
        password,
        Buffer.from(fields.s as string, "base64"),
        Number(fields.i),
        32,
        "sha256",
      );
      const cbind = Buffer.concat([Buffer.from(header), binding?.data ?? Buffer.alloc(0)]).toString("base64");
      const withoutProof = `c=${cbind},r=${combined}`;
      const authMessage = `${bare},${serverFirst},${withoutProof}`;
      const clientKey = hmac(salted, "Client Key");
      const signature = hmac(createHash("sha256").update(clientKey).digest(), authMessage);
      const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] ?? 0)));
      serverSignature = hmac(hmac(salted, "Server Key"), authMessage);
      return `${withoutProof},p=${proof.toString("base64")}`;
    },
    verifyServer(serverFinal) {
      const given = Buffer.from(serverFinal.replace(/^v=/, ""), "base64");
      return given.length === serverSignature.length && timingSafeEqual(given, serverSignature);
    },
  };
}
