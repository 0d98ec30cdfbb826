// HTTP Basic credentials (RFC 7617): "Basic base64(user:pass)", UTF-8 (the charset the challenge names).

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** The challenge sent with every 401. */
export const BASIC_CHALLENGE = 'Basic realm="Postfach", charset="UTF-8"';

/** Parses an Authorization header; null when it is absent, not Basic or malformed. */
export function parseBasicAuthorization(header: string | undefined): BasicCredentials | null {
  if (header === undefined) return null;
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(header);
  if (match === null) return null;
  const decoded = Buffer.from(match[1] as string, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
