// SCRAM-SHA-256 and SCRAM-SHA-256-PLUS, server side (RFC 5802 §5 and §7, RFC 7677): client-first →
// server-first (salt, iterations) → client-final with proof → server-final `v=` sent as a challenge,
// since IMAP and POP3 have no success-with-data; the client answers it with an empty response.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { AccountRecord } from "../../store/mail-store.js";
import { hmacSha256, sha256 } from "../scram-keys.js";
import type { ChannelBindingType } from "./channel-binding.js";
import type { SaslContext, SaslExchange, SaslStep, ScramAttempt } from "./sasl-exchange.js";

/** Bounds on what one message may carry (RFC 5802 sets none; real ones are far below). */
const MAX_MESSAGE_BYTES = 4096;

const malformed = (reason: string): SaslStep => ({ kind: "malformed", reason });

/** Decodes a saslname (RFC 5802 §7): `=2C` is ",", `=3D` is "=", any other "=" is an error. */
export function decodeSaslName(text: string): string | null {
  if (/=(?!2C|3D)/.test(text)) return null;
  return text.replace(/=2C/g, ",").replace(/=3D/g, "=");
}

interface ClientFirst {
  readonly gs2Header: string;
  readonly cbindType: ChannelBindingType | null;
  /** The client supports channel binding but thinks this server does not ("y"). */
  readonly isCbindClaimedUnsupported: boolean;
  readonly authzid: string;
  readonly username: string;
  readonly clientNonce: string;
  readonly bare: string;
}

function parseClientFirst(text: string): ClientFirst | string {
  const match = /^(n|y|p=[A-Za-z0-9.-]+),(a=[^,]*)?,(.*)$/s.exec(text);
  if (!match) return "Invalid GS2 header";
  const flag = match[1] as string;
  const bare = match[3] as string;
  const authzid = match[2] === undefined ? "" : decodeSaslName(match[2].slice(2));
  if (authzid === null) return "Invalid authzid";
  const attributes = bare.split(",");
  if (attributes[0]?.startsWith("m=")) return "Mandatory extensions are not supported";
  if (!attributes.every((attribute) => /^[A-Za-z]=/.test(attribute))) return "Invalid attribute";
  const [user, nonce] = attributes;
  if (!user?.startsWith("n=") || !nonce?.startsWith("r=")) return "Expected n=user,r=nonce";
  const username = decodeSaslName(user.slice(2));
  const clientNonce = nonce.slice(2);
  if (username === null || username === "") return "Invalid user name";
  if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) return "Invalid nonce";
  let cbindType: ChannelBindingType | null = null;
  if (flag.startsWith("p=")) {
    const name = flag.slice(2);
    if (name !== "tls-exporter" && name !== "tls-unique") return `Unsupported channel binding ${name}`;
    cbindType = name;
  }
  return {
    gs2Header: `${flag},${match[2] ?? ""},`,
    cbindType,
    isCbindClaimedUnsupported: flag === "y",
    authzid,
    username,
    clientNonce,
    bare,
  };
}

export function scramSha256Exchange(context: SaslContext, isPlus: boolean): SaslExchange {
  let phase: "first" | "final" | "verified" | "done" = "first";
  let first: ClientFirst;
  let attempt: ScramAttempt;
  let serverFirst = "";
  let nonce = "";
  let account: AccountRecord | null = null;
  let serverFinal = "";

  return {
    async step(response) {
      if (response !== null && response.length > MAX_MESSAGE_BYTES)
        return malformed("SCRAM message too long");
      switch (phase) {
        case "first": {
          if (response === null) return { kind: "challenge", data: Buffer.alloc(0) };
          const parsed = parseClientFirst(response.toString("utf8"));
          if (typeof parsed === "string") return malformed(parsed);
          if (isPlus && parsed.cbindType === null)
            return malformed("SCRAM-SHA-256-PLUS needs channel binding");
          if (!isPlus && parsed.cbindType !== null)
            return malformed("Channel binding needs SCRAM-SHA-256-PLUS");
          if (parsed.cbindType !== null && !context.channelBindings.has(parsed.cbindType)) {
            return malformed(`Channel binding ${parsed.cbindType} is not available on this connection`);
          }
          first = parsed;
          attempt = await context.server.beginScram(parsed.username);
          nonce = parsed.clientNonce + (context.serverNonce?.() ?? randomBytes(18).toString("base64"));
          const { salt, iterations } = attempt.keys;
          serverFirst = `r=${nonce},s=${salt.toString("base64")},i=${iterations}`;
          phase = "final";
          return { kind: "challenge", data: Buffer.from(serverFirst) };
        }
        case "final": {
          const text = (response ?? Buffer.alloc(0)).toString("utf8");
          const match = /^(c=([A-Za-z0-9+/]*={0,2}),r=([^,]*)(?:,[^,]*)*),p=([A-Za-z0-9+/]+={0,2})$/s.exec(
            text,
          );
          if (!match) return malformed("Expected c=…,r=…,p=…");
          const [, withoutProof, binding, finalNonce, proofText] = match as unknown as [
            string,
            string,
            string,
            string,
            string,
          ];
          phase = "done";
          const expectedBinding = Buffer.concat([
            Buffer.from(first.gs2Header),
            first.cbindType === null
              ? Buffer.alloc(0)
              : (context.channelBindings.get(first.cbindType) as Buffer),
          ]);
          const authMessage = `${first.bare},${serverFirst},${withoutProof}`;
          const keys = attempt.keys;
          const proof = Buffer.from(proofText, "base64");
          const signature = hmacSha256(keys.storedKey, authMessage);
          const isProofValid =
            proof.length === signature.length &&
            timingSafeEqual(sha256(xor(proof, signature)), keys.storedKey) &&
            finalNonce === nonce &&
            safeEqual(Buffer.from(binding, "base64"), expectedBinding) &&
            // RFC 5802 §6: "y" while this server offers channel binding is a downgrade attempt.
            !(first.isCbindClaimedUnsupported && context.channelBindings.size > 0) &&
            (first.authzid === "" || first.authzid.toLowerCase() === first.username.toLowerCase());
          account = await attempt.finish(isProofValid);
          serverFinal = `v=${hmacSha256(keys.serverKey, authMessage).toString("base64")}`;
          phase = "verified";
          return { kind: "challenge", data: Buffer.from(serverFinal) };
        }
        case "verified":
          phase = "done";
          if (response !== null && response.length > 0) return malformed("Expected an empty response");
          return { kind: "success", account: account as AccountRecord };
        case "done":
          return malformed("The exchange is over");
      }
    },
  };
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
