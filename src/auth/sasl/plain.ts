// SASL PLAIN (RFC 4616 §2): one message `authzid NUL authcid NUL passwd` in UTF-8.
import type { SaslContext, SaslExchange } from "./sasl-exchange.js";

export function plainExchange(context: SaslContext): SaslExchange {
  return {
    async step(response) {
      if (response === null) return { kind: "challenge", data: Buffer.alloc(0) };
      const parts = splitNul(response);
      if (parts.length !== 3)
        return { kind: "malformed", reason: "PLAIN needs authzid NUL authcid NUL password" };
      const [authzid, username, password] = parts as [string, string, string];
      if (username === "" || password === "")
        return { kind: "malformed", reason: "Empty user name or password" };
      const account = await context.server.verifyPassword({ authzid, username, password });
      return { kind: "success", account };
    },
  };
}

function splitNul(bytes: Buffer): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0) {
      parts.push(bytes.subarray(start, i).toString("utf8"));
      start = i + 1;
    }
  }
  return parts;
}
