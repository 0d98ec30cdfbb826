// The imapflow client the tests use: plain IMAP on loopback (a STARTTLS upgrade accepts the test
// server's self-signed certificate), quiet, logged in as `user` with the test password when connected.
import { ImapFlow, type ImapFlowOptions } from "imapflow";
import { TEST_PASSWORD } from "./test-server.js";

export function imapFlowClient(port: number, user: string, options: Partial<ImapFlowOptions> = {}): ImapFlow {
  return new ImapFlow({
    host: "127.0.0.1",
    port,
    secure: false,
    auth: { user, pass: TEST_PASSWORD },
    logger: false,
    tls: { rejectUnauthorized: false },
    ...options,
  });
}
