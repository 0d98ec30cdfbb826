// The RFC 2449 §5 CAPA listing: what this server supports in the session's current state and transport
// (STLS only on a plain connection before login, RFC 2595 §4; SASL per RFC 5034 §6; UTF8 per RFC 6856 §2).
import type { StateKind } from "./session-state.js";

export interface CapabilityContext {
  readonly state: StateKind;
  readonly canStartTls: boolean;
  readonly expireDays: number | null;
  readonly loginDelaySeconds: number;
  /** SASL mechanisms usable on this connection (Authenticator.mechanisms). */
  readonly saslMechanisms: readonly string[];
  /** USER/PASS may be used here (RFC 2449 §6.8: USER is listed only then). */
  readonly isPlaintextAllowed: boolean;
}

export const IMPLEMENTATION = "Postfach";

export function listCapabilities(context: CapabilityContext): string[] {
  const isAuthorization = context.state === "authorization";
  return [
    "TOP",
    "UIDL",
    "RESP-CODES",
    "AUTH-RESP-CODE",
    "PIPELINING",
    `EXPIRE ${context.expireDays === null ? "NEVER" : context.expireDays}`,
    ...(context.loginDelaySeconds > 0 ? [`LOGIN-DELAY ${context.loginDelaySeconds}`] : []),
    ...(isAuthorization && context.isPlaintextAllowed ? ["USER"] : []),
    ...(isAuthorization ? [`SASL ${context.saslMechanisms.join(" ")}`, "UTF8 USER"] : []),
    ...(isAuthorization && context.canStartTls ? ["STLS"] : []),
    `IMPLEMENTATION ${IMPLEMENTATION}`,
  ];
}
