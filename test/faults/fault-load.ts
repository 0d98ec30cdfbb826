// Load for the fault-injection tests: LMTP deliveries and IMAP sessions (APPEND, STORE, COPY, MOVE,
// EXPUNGE, RENAME) over real sockets against a server that may die at any moment. Every message carries
// a token in its Subject; the ledger records what was sent and what the server acknowledged, so the
// checks (store-invariants.ts) know what must have survived.
import { randomBytes } from "node:crypto";
import { connectPlainClient } from "../../src/net/line-client.testkit.js";
import { RawImap } from "../helpers/raw-imap.js";

/** What the load did to one message (one token in one account). */
export interface MessageFate {
  readonly account: string;
  /** The bytes sent (for LMTP: before the trace headers the server adds). */
  readonly bytes: Buffer;
  readonly via: "lmtp" | "imap";
  isAcked: boolean;
  /** +FLAGS \Flagged acknowledged: every copy must carry it. */
  isFlagAcked: boolean;
  /** COPY to Copies acknowledged. */
  isCopyAcked: boolean;
  /** MOVE to Moved sent (acknowledged or not): the message is in exactly one of Work and Moved. */
  isMoveSent: boolean;
  isMoveAcked: boolean;
  /** \Deleted + EXPUNGE sent: the message may be gone from Work. */
  isExpungeSent: boolean;
  isExpungeAcked: boolean;
}

export class Ledger {
  /** By `account|token`. */
  readonly fates = new Map<string, MessageFate>();
  /** `account|uidvalidity|uid` → token, from APPENDUID/COPYUID and from every check of the store. */
  readonly uidOwners = new Map<string, string>();
  acks = 0;
  /** Every refusal the server answered with (LMTP reply lines, IMAP tagged NO/BAD lines), for checking their codes. */
  readonly refusals: string[] = [];
  /** Broken invariants seen while the load ran (a reused UID); the checks report them. */
  readonly violations: string[] = [];
  /** Called on every acknowledged write (the test uses it to time its kill). */
  onAck: () => void = () => {};

  add(account: string, token: string, bytes: Buffer, via: MessageFate["via"]): MessageFate {
    const fate: MessageFate = {
      account,
      bytes,
      via,
      isAcked: false,
      isFlagAcked: false,
      isCopyAcked: false,
      isMoveSent: false,
      isMoveAcked: false,
      isExpungeSent: false,
      isExpungeAcked: false,
    };
    this.fates.set(`${account}|${token}`, fate);
    return fate;
  }

  ack(): void {
    this.acks++;
    this.onAck();
  }

  /** Records that this UID holds this token; a violation when it held another one (a reused UID). */
  claimUid(account: string, uidValidity: number, uid: number, token: string): void {
    const key = `${account}|${uidValidity}|${uid}`;
    const owner = this.uidOwners.get(key);
    if (owner !== undefined && owner !== token) {
      this.violations.push(
        `UID ${uid} of UIDVALIDITY ${uidValidity} (${account}) held ${owner}, now ${token}`,
      );
    }
    this.uidOwners.set(key, token);
  }
}

export const FAULT_PASSWORD = "fault-password-1";
export const ACCOUNTS = ["alice@example.test", "bob@example.test"] as const;
/** Mailboxes the IMAP load uses besides INBOX and its rename chain. */
export const LOAD_MAILBOXES = ["Work", "Copies", "Moved"] as const;

/** The token a stored message carries, or undefined. */
export function tokenOf(raw: Buffer): string | undefined {
  return /(?:^|\r\n)Subject: fault (\S+)\r\n/.exec(raw.toString("latin1"))?.[1];
}

/** A message: small ones go into the database inline, every seventh is large enough to be a file. */
export function messageBytes(token: string, n: number): Buffer {
  const size = n % 7 === 0 ? 90_000 + (n % 3) * 40_000 : 300 + ((n * 7919) % 12_000);
  const body = randomBytes(Math.ceil(size / 2))
    .toString("hex")
    .replace(/(.{76})/g, "$1\r\n");
  return Buffer.from(
    `From: load@example.test\r\nSubject: fault ${token}\r\nMessage-ID: <${token}@fault.example>\r\n\r\n${body}\r\n`,
  );
}

let sequence = 0;
const newToken = (kind: string): string => `${kind}${process.pid}-${Date.now().toString(36)}-${sequence++}`;

/** Delivers over one LMTP connection until `isDone()` or the connection dies; odd messages go to both accounts. */
export async function lmtpLoad(port: number, ledger: Ledger, isDone: () => boolean): Promise<void> {
  const client = await connectPlainClient(port).catch(() => undefined);
  if (!client) return;
  try {
    await client.line();
    client.write("LHLO fault.example\r\n");
    while (!(await client.line()).startsWith("250 ")) {}
    for (let n = 0; !isDone(); n++) {
      const token = newToken("l");
      const bytes = messageBytes(token, n);
      const to = n % 2 === 0 ? ACCOUNTS.slice(0, 1) : ACCOUNTS;
      const fates = to.map((account) => ledger.add(account, token, bytes, "lmtp"));
      client.write(`MAIL FROM:<s@remote.example>\r\n${to.map((r) => `RCPT TO:<${r}>\r\n`).join("")}DATA\r\n`);
      const replies: string[] = [];
      for (let i = 0; i < to.length + 2; i++) replies.push(await client.line(20_000));
      ledger.refusals.push(...replies.slice(0, -1).filter((reply) => !reply.startsWith("250 ")));
      if (!replies.at(-1)?.startsWith("354 ")) {
        // No recipient accepted (or the sender refused): start afresh.
        throw new Error(`LMTP transaction refused: ${replies.join(" | ")}`);
      }
      // After DATA, one reply per accepted recipient, in order (RFC 2033 §4.2).
      const accepted = fates.filter((_fate, i) => replies[i + 1]?.startsWith("250 "));
      // The message never has a line starting with "." (hex body), so no dot-stuffing is needed.
      client.socket.write(bytes);
      client.write(".\r\n");
      for (const fate of accepted) {
        const reply = await client.line(20_000);
        if (reply.startsWith("250 ")) {
          fate.isAcked = true;
          ledger.ack();
        } else {
          ledger.refusals.push(reply);
        }
      }
    }
    client.write("QUIT\r\n");
  } catch {
    // The server died: what was not acknowledged may or may not have landed.
  } finally {
    client.socket.destroy();
  }
}

const TIMEOUT_MS = 20_000;

/** One IMAP session as alice: APPEND to Work, then STORE, COPY and MOVE or EXPUNGE it; now and then a RENAME. */
export async function imapLoad(
  port: number,
  worker: number,
  ledger: Ledger,
  isDone: () => boolean,
): Promise<void> {
  const account = ACCOUNTS[0];
  let imap: RawImap | undefined;
  try {
    imap = await RawImap.connect(port);
    imap.take();
    let tagNumber = 0;
    const run = async (command: string): Promise<string> => {
      const tag = `w${worker}t${tagNumber++}`;
      imap?.take();
      imap?.write(`${tag} ${command}\r\n`);
      const text = await imap?.waitFor((t) => new RegExp(`(^|\\r\\n)${tag} (OK|NO|BAD)`).test(t), TIMEOUT_MS);
      imap?.take();
      const status = new RegExp(`(?:^|\\r\\n)${tag} (OK|NO|BAD)`).exec(text ?? "")?.[1];
      if (status !== "OK") {
        ledger.refusals.push(new RegExp(`${tag} [^\\r]*`).exec(text ?? "")?.[0] ?? "");
        throw new Error(`${command.slice(0, 40)}: ${text}`);
      }
      return text ?? "";
    };
    await run(`LOGIN ${account} ${FAULT_PASSWORD}`);
    for (const name of LOAD_MAILBOXES) {
      await run(`CREATE ${name}`).catch(() => {});
    }
    // The rename chain R<worker>-<k>: find where an earlier life left it.
    const listed = await run(`LIST "" "R${worker}-*"`);
    const names = [...listed.matchAll(/\* LIST \([^)]*\) "\/" "?(R\d+-\d+)"?/g)].map((m) => m[1] as string);
    let chain = names[0] ?? `R${worker}-0`;
    if (names.length === 0) await run(`CREATE ${chain}`);
    await run("SELECT Work");
    const append = async (mailbox: string, n: number): Promise<{ token: string; uid: number }> => {
      const token = newToken(`i${worker}-`);
      const bytes = messageBytes(token, n);
      const fate = ledger.add(account, token, bytes, "imap");
      const tag = `w${worker}t${tagNumber++}`;
      imap?.take();
      imap?.write(
        Buffer.concat([
          Buffer.from(`${tag} APPEND ${mailbox} {${bytes.byteLength}+}\r\n`),
          bytes,
          Buffer.from("\r\n"),
        ]),
      );
      const text = await imap?.waitFor((t) => new RegExp(`(^|\\r\\n)${tag} (OK|NO|BAD)`).test(t), TIMEOUT_MS);
      imap?.take();
      const match = new RegExp(`${tag} OK \\[APPENDUID (\\d+) (\\d+)\\]`).exec(text ?? "");
      if (!match) {
        ledger.refusals.push(new RegExp(`${tag} [^\\r]*`).exec(text ?? "")?.[0] ?? "");
        throw new Error(`APPEND: ${text}`);
      }
      fate.isAcked = true;
      ledger.claimUid(account, Number(match[1]), Number(match[2]), token);
      ledger.ack();
      return { token, uid: Number(match[2]) };
    };
    for (let n = worker; !isDone(); n++) {
      const { token, uid } = await append("Work", n);
      const fate = ledger.fates.get(`${account}|${token}`) as MessageFate;
      await run(`UID STORE ${uid} +FLAGS.SILENT (\\Flagged)`);
      fate.isFlagAcked = true;
      ledger.ack();
      const copied = await run(`UID COPY ${uid} Copies`);
      fate.isCopyAcked = true;
      const copyUid = /\[COPYUID (\d+) \d+ (\d+)\]/.exec(copied);
      if (copyUid) ledger.claimUid(account, Number(copyUid[1]), Number(copyUid[2]), token);
      ledger.ack();
      if (n % 3 === 0) {
        fate.isMoveSent = true;
        const moved = await run(`UID MOVE ${uid} Moved`);
        fate.isMoveAcked = true;
        const moveUid = /\[COPYUID (\d+) \d+ (\d+)\]/.exec(moved);
        if (moveUid) ledger.claimUid(account, Number(moveUid[1]), Number(moveUid[2]), token);
        ledger.ack();
      } else if (n % 3 === 1) {
        fate.isExpungeSent = true;
        await run(`UID STORE ${uid} +FLAGS.SILENT (\\Deleted)`);
        await run(`UID EXPUNGE ${uid}`);
        fate.isExpungeAcked = true;
        ledger.ack();
      }
      if (n % 5 === 0) {
        await append(chain, n);
        const next = `R${worker}-${Number(chain.split("-")[1]) + 1}`;
        await run(`RENAME ${chain} ${next}`);
        chain = next;
        ledger.ack();
      }
    }
    await run("LOGOUT").catch(() => {});
  } catch {
    // The server died mid-command.
  } finally {
    imap?.close();
  }
}
