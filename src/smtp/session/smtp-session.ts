// One SMTP (RFC 5321) or LMTP (RFC 2033) session over a net Connection: greeting, command gate, the
// mail transaction, the DATA dot-stream, and replies after DATA (one per recipient in LMTP, §4.2).

import { newObjectId } from "../../kit/ids.js";
import { isMailError, MailError } from "../../kit/mail-error.js";
import type { DeliveryService, RecipientOutcome } from "../../mail/delivery-service.js";
import type { InboundAuthenticator } from "../../mail/inbound-authentication.js";
import type { Connection } from "../../net/connection.js";
import { isConnectionClosedError } from "../../net/connection-closed-error.js";
import { type MailParameters, parseCommand, type SmtpCommand } from "../wire/smtp-command.js";
import { isAsciiAddress } from "../wire/smtp-path.js";
import { SmtpReader } from "../wire/smtp-reader.js";
import { formatReply, reply, type SmtpReply } from "../wire/smtp-reply.js";
import { helloReply, protocolName } from "./capabilities.js";
import { type AcceptedRecipient, type Envelope, NO_ENVELOPE } from "./envelope.js";
import { replyForError } from "./error-mapping.js";

export type SessionMode = "smtp" | "lmtp";

/** What a session needs from the mail layer. */
export type Deliverer = Pick<DeliveryService, "checkRecipient" | "deliver">;

export interface SessionOptions {
  readonly mode: SessionMode;
  readonly hostname: string;
  readonly maxMessageBytes: number;
  readonly maxRecipients: number;
  readonly maxLineBytes: number;
  readonly quotaPermanent: boolean;
  /** Offer STARTTLS (the listener group has a TLS context). */
  readonly canStartTls: boolean;
  /** Bad commands before the session is closed with 421. */
  readonly maxErrors?: number;
  /** SPF/DKIM/DMARC checks adding Authentication-Results (the SMTP mode only: mail from other servers). */
  readonly authenticator?: Pick<InboundAuthenticator, "authenticate">;
}

/** Data of the message being received after 354. */
interface Receiving {
  readonly chunks: Buffer[];
  bytes: number;
  isTooBig: boolean;
}

type Step = "continue" | "close";

const DEFAULT_MAX_ERRORS = 10;

export async function runSmtpSession(
  conn: Connection,
  deliverer: Deliverer,
  options: SessionOptions,
): Promise<void> {
  try {
    await new SmtpSession(conn, deliverer, options).run();
  } catch (error) {
    if (!isConnectionClosedError(error)) throw error;
  }
}

class SmtpSession {
  readonly #reader: SmtpReader;
  readonly #out: string[] = [];
  #helloName: string | null = null;
  #isExtended = false;
  #envelope: Envelope = NO_ENVELOPE;
  #receiving: Receiving | null = null;
  #errors = 0;
  #isWaiting = false;
  #isShuttingDown = false;

  constructor(
    private readonly conn: Connection,
    private readonly deliverer: Deliverer,
    private readonly options: SessionOptions,
  ) {
    this.#reader = new SmtpReader(options.maxLineBytes);
  }

  async run(): Promise<void> {
    const { conn } = this;
    const name = this.options.mode === "lmtp" ? "LMTP" : "ESMTP";
    conn.onIdleTimeout(() =>
      conn.write(formatReply(reply(421, "4.4.2", `${this.options.hostname} Timeout, closing`))),
    );
    conn.onShutdown(() => {
      // Mid-transaction the goodbye waits for the next command boundary, so a reply is never cut.
      this.#isShuttingDown = true;
      if (this.#isWaiting && this.#receiving === null)
        return conn.write(formatReply(shutdownReply(this.options.hostname)));
      // A message arriving keeps being read and is delivered (its replies sent), then #drain says 421
      // and closes: waiting here keeps the connection open until then (Connection bounds each hook).
      return conn.closed;
    });
    await conn.write(`220 ${this.options.hostname} ${name} Postfach ready\r\n`);
    this.#isWaiting = true;
    for await (const chunk of conn.chunks()) {
      this.#isWaiting = false;
      this.#reader.push(chunk);
      const step = await this.#drain();
      await this.#flush();
      if (step === "close") return;
      this.#isWaiting = true;
    }
    if (this.#receiving !== null)
      conn.log.info({ receivedBytes: this.#receiving.bytes }, "client left during DATA; nothing stored");
  }

  async #drain(): Promise<Step> {
    for (let event = this.#reader.next(); event !== undefined; event = this.#reader.next()) {
      let step: Step = "continue";
      switch (event.kind) {
        case "line":
          await this.conn.paceCommand();
          step = await this.#command(parseCommand(event.line));
          break;
        case "lineTooLong":
          step = this.#bad(reply(500, "5.5.2", "Line too long"));
          break;
        case "data":
          this.#receive(event.bytes);
          break;
        case "dataEnd":
          await this.#finishData();
          break;
      }
      if (step === "close") return "close";
      if (this.#isShuttingDown && this.#receiving === null) {
        this.#send(shutdownReply(this.options.hostname));
        return "close";
      }
    }
    return "continue";
  }

  async #command(command: SmtpCommand): Promise<Step> {
    switch (command.verb) {
      case "HELO":
      case "EHLO":
      case "LHLO":
        return this.#hello(command.verb, command.domain);
      case "MAIL":
        return this.#mail(command.from, command.params);
      case "RCPT":
        return this.#rcpt(command.to, command.params);
      case "DATA":
        return this.#data();
      case "RSET":
        this.#envelope = NO_ENVELOPE;
        return this.#ok(reply(250, "2.0.0", "Ok"));
      case "NOOP":
        return this.#ok(reply(250, "2.0.0", "Ok"));
      case "HELP":
        return this.#ok(reply(214, "2.0.0", "See RFC 5321 and RFC 2033"));
      case "VRFY":
        return this.#ok(reply(252, "2.5.0", "Cannot VRFY user; try RCPT"));
      case "EXPN":
        return this.#bad(reply(502, "5.5.1", "EXPN not available"));
      case "QUIT":
        this.#send(reply(221, "2.0.0", `${this.options.hostname} Bye`));
        return "close";
      case "STARTTLS":
        return this.#startTls();
      case "unknown":
        return this.#bad(reply(500, "5.5.2", "Command unrecognized"));
      case "syntaxError":
        return this.#bad(reply(501, "5.5.4", command.message));
    }
  }

  #hello(verb: "HELO" | "EHLO" | "LHLO", domain: string): Step {
    const isLmtp = this.options.mode === "lmtp";
    if (isLmtp !== (verb === "LHLO")) {
      return this.#bad(reply(500, "5.5.1", isLmtp ? "This is LMTP: use LHLO" : "Command unrecognized"));
    }
    this.#helloName = domain;
    this.#isExtended = verb !== "HELO";
    this.#envelope = NO_ENVELOPE;
    if (!this.#isExtended) return this.#ok(reply(250, null, this.options.hostname));
    return this.#ok(
      helloReply(this.options.hostname, domain, {
        maxMessageBytes: this.options.maxMessageBytes,
        canStartTls: this.options.canStartTls && !this.conn.isTls,
      }),
    );
  }

  #mail(from: string, params: MailParameters): Step {
    if (this.#helloName === null) return this.#bad(reply(503, "5.5.1", "Say hello first"));
    if (this.#envelope.stage === "open") return this.#bad(reply(503, "5.5.1", "Sender already given"));
    let declaredBytes: number | null = null;
    let is8Bit = false;
    let isUtf8 = false;
    for (const [key, value] of params) {
      if (!this.#isExtended) return this.#bad(reply(555, "5.5.4", "No parameters after HELO"));
      if (key === "SIZE" && value !== null && /^\d{1,15}$/.test(value)) declaredBytes = Number(value);
      else if (key === "BODY" && (value?.toUpperCase() === "7BIT" || value?.toUpperCase() === "8BITMIME"))
        is8Bit = value.toUpperCase() === "8BITMIME";
      else if (key === "SMTPUTF8" && value === null) isUtf8 = true;
      else return this.#bad(reply(555, "5.5.4", `Unsupported parameter ${key}`));
    }
    if (declaredBytes !== null && declaredBytes > this.options.maxMessageBytes) {
      return this.#ok(
        reply(552, "5.3.4", `Message size exceeds the limit of ${this.options.maxMessageBytes} bytes`),
      );
    }
    if (!isUtf8 && !isAsciiAddress(from))
      return this.#ok(reply(553, "5.6.7", "Non-ASCII address needs SMTPUTF8"));
    this.#envelope = { stage: "open", from, isUtf8, is8Bit, declaredBytes, recipients: [], rcptCount: 0 };
    return this.#ok(reply(250, "2.1.0", "Ok"));
  }

  async #rcpt(to: string, params: MailParameters): Promise<Step> {
    const envelope = this.#envelope;
    if (envelope.stage !== "open") return this.#bad(reply(503, "5.5.1", "Need MAIL before RCPT"));
    if (params.size > 0) return this.#bad(reply(555, "5.5.4", "RCPT parameters are not supported"));
    if (envelope.recipients.length >= this.options.maxRecipients) {
      return this.#ok(reply(452, "4.5.3", "Too many recipients"));
    }
    if (!envelope.isUtf8 && !isAsciiAddress(to))
      return this.#ok(reply(553, "5.6.7", "Non-ASCII address needs SMTPUTF8"));
    this.#envelope = { ...envelope, rcptCount: envelope.rcptCount + 1 };
    let check: Awaited<ReturnType<Deliverer["checkRecipient"]>>;
    try {
      check = await this.deliverer.checkRecipient(to);
    } catch (error) {
      return this.#ok(this.#internalError(error, "recipient check failed"));
    }
    if (check.kind === "notLocal") {
      return this.options.mode === "smtp"
        ? this.#ok(reply(550, "5.7.1", "Relay access denied"))
        : this.#ok(reply(550, "5.1.2", "Domain not handled here"));
    }
    if (check.kind === "rejected") return this.#ok(this.#mapError(check.error));
    const current = this.#envelope;
    if (current.stage === "open") this.#envelope = { ...current, recipients: [...current.recipients, check] };
    return this.#ok(reply(250, "2.1.5", "Ok"));
  }

  #data(): Step {
    const envelope = this.#envelope;
    if (envelope.stage !== "open") return this.#bad(reply(503, "5.5.1", "Need MAIL before DATA"));
    if (envelope.recipients.length === 0) return this.#ok(reply(554, "5.5.1", "No valid recipients"));
    this.#send(reply(354, null, "End data with <CR><LF>.<CR><LF>"));
    this.#reader.beginData();
    this.#receiving = { chunks: [], bytes: 0, isTooBig: false };
    return "continue";
  }

  #receive(bytes: Buffer): void {
    const receiving = this.#receiving;
    if (receiving === null) return;
    receiving.bytes += bytes.length;
    // Past the limit the rest is read and dropped, so the session stays in step with the client.
    if (receiving.bytes > this.options.maxMessageBytes) {
      receiving.isTooBig = true;
      receiving.chunks.length = 0;
    } else {
      receiving.chunks.push(bytes);
    }
  }

  async #finishData(): Promise<void> {
    const receiving = this.#receiving;
    const envelope = this.#envelope;
    this.#receiving = null;
    this.#envelope = NO_ENVELOPE;
    if (receiving === null || envelope.stage !== "open") return;
    const recipients = envelope.recipients;
    if (receiving.isTooBig) {
      const tooBig = reply(
        552,
        "5.3.4",
        `Message size exceeds the limit of ${this.options.maxMessageBytes} bytes`,
      );
      this.#replyAfterData(
        recipients,
        recipients.map(() => tooBig),
      );
      return;
    }
    let outcomes: readonly RecipientOutcome[];
    let id = "";
    try {
      const report = await this.deliverer.deliver({
        returnPath: envelope.from,
        recipients,
        data: await this.#withAuthenticationResults(envelope.from, Buffer.concat(receiving.chunks)),
        heloName: this.#helloName ?? "",
        remoteAddress: this.conn.remoteAddress,
        protocol: protocolName(this.options.mode, this.#isExtended, this.conn.isTls, envelope.isUtf8),
        // A Sieve reject is said in the session where it can be (RFC 5429 §2.1), else by notice.
        rejection: this.options.mode === "lmtp" ? "perRecipient" : "whole",
      });
      outcomes = report.outcomes;
      id = report.id;
    } catch (error) {
      const failure = this.#internalError(error, "delivery failed");
      this.#replyAfterData(
        recipients,
        recipients.map(() => failure),
      );
      return;
    }
    this.#replyAfterData(
      recipients,
      outcomes.map((o) =>
        o.kind === "delivered" ? reply(250, "2.0.0", `Ok: delivered as ${id}`) : this.#mapError(o.error),
      ),
    );
  }

  /** SMTP: the message with its SPF/DKIM/DMARC results on top (RFC 8601); LMTP mail was checked upstream. */
  async #withAuthenticationResults(mailFrom: string, message: Buffer): Promise<Buffer> {
    const authenticator = this.options.authenticator;
    if (this.options.mode !== "smtp" || authenticator === undefined) return message;
    return authenticator.authenticate({
      message,
      mailFrom,
      heloName: this.#helloName ?? "",
      remoteAddress: this.conn.remoteAddress,
    });
  }

  /** LMTP: one reply per accepted recipient (RFC 2033 §4.2). SMTP: one reply for the transaction. */
  #replyAfterData(recipients: readonly AcceptedRecipient[], replies: readonly SmtpReply[]): void {
    if (this.options.mode === "lmtp") {
      replies.forEach((r, i) => {
        const address = recipients[i]?.address ?? "";
        this.#send({ ...r, lines: r.lines.map((line) => `<${address}> ${line}`) });
      });
      return;
    }
    const failed = replies.filter((r) => r.code >= 400);
    // A temporary failure makes the client retry all (a duplicate at worst, never a loss).
    const temporary = failed.find((r) => r.code < 500);
    const chosen =
      temporary ?? (failed.length === replies.length ? failed[0] : replies.find((r) => r.code < 400));
    if (failed.length > 0 && failed.length < replies.length) {
      this.conn.log.warn({ failed: failed.length, recipients: replies.length }, "some recipients failed");
    }
    this.#send(chosen ?? reply(451, "4.3.0", "Temporary failure"));
  }

  async #startTls(): Promise<Step> {
    if (this.conn.isTls) return this.#bad(reply(503, "5.5.1", "TLS already active"));
    if (!this.options.canStartTls) return this.#bad(reply(502, "5.5.1", "STARTTLS not available"));
    // RFC 3207 §4.2 and the Connection contract: bytes pipelined after STARTTLS are never executed.
    this.#reader.discard();
    this.#send(reply(220, "2.0.0", "Ready to start TLS"));
    await this.#flush();
    await this.conn.startTls();
    this.#helloName = null;
    this.#isExtended = false;
    this.#envelope = NO_ENVELOPE;
    return "continue";
  }

  #mapError(error: MailError): SmtpReply {
    return replyForError(error, { quotaPermanent: this.options.quotaPermanent });
  }

  #internalError(error: unknown, what: string): SmtpReply {
    if (isMailError(error)) return this.#mapError(error);
    const id = newObjectId("E").slice(1, 11);
    this.conn.log.error({ err: error, errorId: id }, what);
    return this.#mapError(new MailError("serverBug", `Internal error (${id})`, { cause: error }));
  }

  #ok(r: SmtpReply): Step {
    this.#send(r);
    return "continue";
  }

  /** A protocol error: too many of them close the session (RFC 5321 §4.1.4 lets servers give up). */
  #bad(r: SmtpReply): Step {
    this.#send(r);
    this.#errors++;
    if (this.#errors >= (this.options.maxErrors ?? DEFAULT_MAX_ERRORS)) {
      this.#send(reply(421, "4.7.0", `${this.options.hostname} Too many errors, closing`));
      return "close";
    }
    return "continue";
  }

  #send(r: SmtpReply): void {
    this.#out.push(formatReply(r));
  }

  /** Pipelined replies go out together, once the commands at hand are done (RFC 2920 §3.1). */
  async #flush(): Promise<void> {
    if (this.#out.length === 0) return;
    const text = this.#out.join("");
    this.#out.length = 0;
    await this.conn.write(text);
  }
}

function shutdownReply(hostname: string): SmtpReply {
  return reply(421, "4.3.2", `${hostname} Service shutting down, try again later`);
}
