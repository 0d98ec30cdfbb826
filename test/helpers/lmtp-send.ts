// Sends one message over LMTP or SMTP with a raw client and returns the replies after DATA, for the
// Sieve delivery tests (the per-recipient LMTP replies are what they check).
import { WireClient } from "./wire-client.js";

export const WAIT_MS = 30_000;

export interface Mail {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly messageId?: string;
}

export function messageText(mail: Mail): string {
  return [
    `From: <${mail.from}>`,
    `To: ${mail.to.map((a) => `<${a}>`).join(", ")}`,
    `Subject: ${mail.subject}`,
    `Message-ID: ${mail.messageId ?? `<${Math.random().toString(36).slice(2)}@test>`}`,
    "",
    "Hello.",
    "",
  ].join("\r\n");
}

/**
 * One LMTP transaction (or SMTP with `isSmtp`); resolves to the replies after DATA: one per recipient for
 * LMTP (RFC 2033 §4.2), one for SMTP.
 */
export async function lmtp(port: number, mail: Mail, isSmtp = false): Promise<string[]> {
  const client = await WireClient.connect(port);
  try {
    await client.waitFor(/^220 /m, WAIT_MS);
    client.send(`${isSmtp ? "EHLO" : "LHLO"} test.example\r\nMAIL FROM:<${mail.from}>\r\n`);
    for (const rcpt of mail.to) client.send(`RCPT TO:<${rcpt}>\r\n`);
    client.send("DATA\r\n");
    await client.waitFor(/^354 /m, WAIT_MS);
    const start = client.text.length;
    client.send(`${messageText(mail)}.\r\n`);
    const replies = new RegExp(`(?:[^]*?^[0-9]{3} [^\\r\\n]*\\r\\n){${isSmtp ? 1 : mail.to.length}}`, "m");
    const text = await client.waitFor(
      { test: (all: string) => replies.test(all.slice(start)) } as RegExp,
      WAIT_MS,
    );
    return text
      .slice(start)
      .split("\r\n")
      .filter((line) => /^[0-9]{3} /.test(line));
  } finally {
    client.send("QUIT\r\n");
    client.end();
  }
}
