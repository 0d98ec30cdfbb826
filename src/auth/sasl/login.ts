// The widely deployed LOGIN mechanism (draft-murchison-sasl-login-00): "Username:", then "Password:".
import type { SaslContext, SaslExchange } from "./sasl-exchange.js";

export function loginExchange(context: SaslContext): SaslExchange {
  let username: string | null = null;
  let hasPrompted = false;
  return {
    async step(response) {
      if (!hasPrompted && response === null) {
        hasPrompted = true;
        return { kind: "challenge", data: Buffer.from("Username:") };
      }
      hasPrompted = true;
      const text = (response ?? Buffer.alloc(0)).toString("utf8");
      if (username === null) {
        if (text === "" || text.includes("\u0000")) return { kind: "malformed", reason: "Empty user name" };
        username = text;
        return { kind: "challenge", data: Buffer.from("Password:") };
      }
      if (text.includes("\u0000")) return { kind: "malformed", reason: "NUL in password" };
      const account = await context.server.verifyPassword({ username, password: text });
      return { kind: "success", account };
    },
  };
}
