// SASL OAUTHBEARER (RFC 7628 §3.1): `gs2-header ^A auth=Bearer <token> ^A … ^A ^A`. On failure the server
// sends the JSON error as a challenge (§3.2.2), the client answers ^A, and the exchange fails.
import { isMailError } from "../../kit/mail-error.js";
import type { SaslContext, SaslExchange, SaslStep } from "./sasl-exchange.js";
import { decodeSaslName } from "./scram-sha-256.js";

const MAX_MESSAGE_BYTES = 16_384;
const ERROR_JSON = Buffer.from(JSON.stringify({ status: "invalid_token", schemes: "bearer" }));

export function oauthBearerExchange(context: SaslContext): SaslExchange {
  let pendingError: unknown = null;
  let isDone = false;
  return {
    async step(response): Promise<SaslStep> {
      if (isDone) return { kind: "malformed", reason: "The exchange is over" };
      if (pendingError !== null) {
        isDone = true;
        throw pendingError;
      }
      if (response === null) return { kind: "challenge", data: Buffer.alloc(0) };
      if (response.length > MAX_MESSAGE_BYTES) return { kind: "malformed", reason: "Token too long" };
      const match = /^n,(?:a=([^,]*))?,\x01((?:[A-Za-z]+=[\x21-\x7e \t\r\n]*\x01)*)\x01$/.exec(
        response.toString("utf8"),
      );
      if (!match) return { kind: "malformed", reason: "Invalid OAUTHBEARER message" };
      const authzid = decodeSaslName(match[1] ?? "");
      const auth = (match[2] ?? "").split("\x01").find((pair) => pair.startsWith("auth="));
      const token = /^auth=Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(auth ?? "")?.[1];
      if (authzid === null || token === undefined)
        return { kind: "malformed", reason: "Expected auth=Bearer <token>" };
      try {
        isDone = true;
        return { kind: "success", account: await context.server.verifyBearer(token, authzid) };
      } catch (error) {
        if (!isMailError(error) || error.code !== "authFailed") throw error;
        isDone = false;
        pendingError = error;
        return { kind: "challenge", data: ERROR_JSON };
      }
    },
  };
}
