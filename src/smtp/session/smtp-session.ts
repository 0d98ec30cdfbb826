// One SMTP (RFC 5321), LMTP (RFC 2033) or submission (RFC 6409) session over a net Connection: greeting,
// command gate, AUTH (submission), the mail transaction, the DATA dot-stream or BDAT chunks (RFC 3030),
// and replies after the message (one per recipient in LMTP, §4.2).

import { newObjectId } from "../../kit/ids.js";
import { isMailError, MailError } from "../../kit/mail-error.js";
import type { DeliveryService, RecipientOutcome } from "../../mail/delivery-service.js";
import type { InboundAuthenticator } from "../../mail/inbound-authentication.js";
import { foreignFromAddresses, isOwnAddress } from "../../mail/submission-policy.js";
import type { SubmissionCheck } from "../../mail/submission-service.js";
import type { Connection } from "../../net/connection.js";
import { isConnectionClosedError } from "../../net/connection-closed-error.js";
import type { AccountRecord } from "../../store/mail-store.js";
import { type MailParameters, parseCommand, type SmtpCommand } from "../wire/smtp-command.js";
import { isAsciiAddress } from "../wire/smtp-path.js";
import { SmtpReader } from "../wire/smtp-reader.js";
import { formatReply, reply, type SmtpReply } from "../wire/smtp-reply.js";
import { helloReply, protocolName } from "./capabilities.js";
import { type AcceptedRecipient, type Envelope, type EnvelopeRecipient, NO_ENVELOPE } from "./envelope.js";
import { replyForError } from "./error-mapping.js";
import { type AuthStep, authMechanisms, SmtpAuthDialog } from "./smtp-auth.js";
import type { SubmissionDeps } from "./submission-deps.js";

export type SessionMode = "smtp" | "lmtp" | "submission";

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

/** Data of the message being received after 354, or over the BDAT chunks so far. */
interface Receiving {
  readonly chunks: Buffer[];
  bytes: number;
  isTooBig: boolean;
}

/** The BDAT chunk being read: its size, whether it is the last, and the refusal to send after it. */
interface Chunk {
  readonly bytes: number;
  readonly isLast: boolean;
  readonly refusal: SmtpReply | null;
}

/** The authenticated submitter and the addresses it may send as (lower-case). */
interface Submitter {
  readonly account: AccountRecord;
  readonly own: ReadonlySet<string>;
}

type Step = "continue" | "close";

const DEFAULT_MAX_ERRORS = 10;

/** `submission` is required in submission mode and ignored otherwise. */
export async function runSmtpSession(
  conn: Connection,
  deliverer: Deliverer,
  options: SessionOptions,
  submission: SubmissionDeps | null = null,
): Promise<void> {
  try {
    await new SmtpSession(conn, deliverer, options, options.mode === "submission" ? submission : null).run();
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
  #chunk: Chunk | null = null;
  #auth: SmtpAuthDialog | null = null;
  #submitter: Submitter | null = null;

  constructor(
    private readonly conn: Connection,
    private readonly deliverer: Deliverer,
    private readonly options: SessionOptions,
    private readonly submission: SubmissionDeps | null,
  ) {
    if (options.mode === "submission" && submission === null)
      throw new Error("a submission session needs its SubmissionDeps");
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
          step =
            this.#auth === null
              ? await this.#command(parseCommand(event.line))
              : await this.#authResponse(this.#auth, event.line.toString("latin1"));
          break;
        case "lineTooLong":
          this.#auth = null;
          step = this.#bad(reply(500, "5.5.2", "Line too long"));
          break;
        case "data":
          this.#receive(event.bytes);
          break;
        case "dataEnd":
          await this.#finishData();
          break;
        case "chunkEnd":
          step = await this.#finishChunk();
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
      case "BDAT":
        return this.#bdat(command.bytes, command.isLast);
      case "BURL":
        return this.#burl(command.url, command.isLast);
      case "AUTH":
        return this.#authCommand(command.mechanism, command.initialResponse);
      case "RSET":
        this.#envelope = NO_ENVELOPE;
        this.#receiving = null;
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
        authMechanisms:
          this.submission !== null && this.#submitter === null
            ? authMechanisms(this.conn, this.submission)
            : [],
        isBurlOffered: this.submission?.urlAuth !== undefined,
      }),
    );
  }

  #mail(from: string, params: MailParameters): Step {
    if (this.#helloName === null) return this.#bad(reply(503, "5.5.1", "Say hello first"));
    if (this.#envelope.stage === "open") return this.#bad(reply(503, "5.5.1", "Sender already given"));
    // RFC 6409 §4.3, RFC 4954 §6: submission takes mail from authenticated users only.
    if (this.submission !== null && this.#submitter === null)
      return this.#bad(reply(530, "5.7.0", "Authentication required"));
    let declaredBytes: number | null = null;
    let is8Bit = false;
    let isUtf8 = false;
    for (const [key, value] of params) {
      if (!this.#isExtended) return this.#bad(reply(555, "5.5.4", "No parameters after HELO"));
      if (key === "SIZE" && value !== null && /^\d{1,15}$/.test(value)) declaredBytes = Number(value);
      else if (key === "BODY" && (value?.toUpperCase() === "7BIT" || value?.toUpperCase() === "8BITMIME"))
        is8Bit = value.toUpperCase() === "8BITMIME";
      else if (key === "SMTPUTF8" && value === null) isUtf8 = true;
      // RFC 4954 §5: AUTH=<mailbox> names who submitted a relayed message; ours is the login itself.
      else if (key === "AUTH" && this.submission !== null) continue;
      else return this.#bad(reply(555, "5.5.4", `Unsupported parameter ${key}`));
    }
    if (declaredBytes !== null && declaredBytes > this.options.maxMessageBytes) {
      return this.#ok(
        reply(552, "5.3.4", `Message size exceeds the limit of ${this.options.maxMessageBytes} bytes`),
      );
    }
    if (!isUtf8 && !isAsciiAddress(from))
      return this.#ok(reply(553, "5.6.7", "Non-ASCII address needs SMTPUTF8"));
    const submitter = this.#submitter;
    if (submitter !== null && !isOwnAddress(from, submitter.own)) {
      return this.#ok(
        reply(
          550,
          "5.7.1",
          `Sender <${from}> is not an address of ${submitter.account.address}; use one of its own or its aliases`,
        ),
      );
    }
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
    let check: SubmissionCheck;
    try {
      check =
        this.submission !== null
          ? await this.submission.submitter.checkRecipient(to)
          : await this.deliverer.checkRecipient(to);
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
    if (this.#receiving !== null) return this.#bad(reply(503, "5.5.1", "BDAT in progress: no DATA"));
    if (envelope.recipients.length === 0) return this.#ok(reply(554, "5.5.1", "No valid recipients"));
    this.#send(reply(354, null, "End data with <CR><LF>.<CR><LF>"));
    this.#reader.beginData();
    this.#receiving = { chunks: [], bytes: 0, isTooBig: false };
    return "continue";
  }

  /** RFC 3030 §2: the chunk is read whatever happens, then refused or acknowledged (or delivered if LAST). */
  #bdat(bytes: number, isLast: boolean): Step {
    const envelope = this.#envelope;
    let refusal: SmtpReply | null = null;
    if (envelope.stage !== "open") refusal = reply(503, "5.5.1", "Need MAIL before BDAT");
    else if (envelope.recipients.length === 0) refusal = reply(554, "5.5.1", "No valid recipients");
    if (refusal === null) this.#receiving ??= { chunks: [], bytes: 0, isTooBig: false };
    this.#chunk = { bytes, isLast, refusal };
    this.#reader.beginChunk(bytes);
    return "continue";
  }

  /**
   * RFC 4468: appends the message (or part) a URLAUTH URL names, fetched from the store for the
   * authenticated user (access `submit+user`, or `authuser`), to the message being built; a URL that does
   * not resolve fails the whole transaction (§5), as a failed chunk would.
   */
  async #burl(url: string, isLast: boolean): Promise<Step> {
    const urlAuth = this.submission?.urlAuth;
    const submitter = this.#submitter;
    if (urlAuth === undefined) return this.#bad(reply(502, "5.5.1", "BURL not available"));
    if (submitter === null) return this.#bad(reply(530, "5.7.0", "Authentication required"));
    const envelope = this.#envelope;
    if (envelope.stage !== "open") return this.#bad(reply(503, "5.5.1", "Need MAIL before BURL"));
    if (envelope.recipients.length === 0) return this.#ok(reply(554, "5.5.1", "No valid recipients"));
    let content: Awaited<ReturnType<typeof urlAuth.fetch>>;
    try {
      content = await urlAuth.fetch(url, { kind: "submit", account: submitter.account });
    } catch (error) {
      this.#receiving = null;
      this.#envelope = NO_ENVELOPE;
      return this.#ok(this.#internalError(error, "BURL fetch failed"));
    }
    if (content === null) {
      this.#receiving = null;
      this.#envelope = NO_ENVELOPE;
      return this.#ok(reply(554, "5.6.6", "URL does not resolve to content you may send"));
    }
    this.#receiving ??= { chunks: [], bytes: 0, isTooBig: false };
    for await (const chunk of content.chunks) this.#receive(Buffer.from(chunk));
    if (!isLast) return this.#ok(reply(250, "2.0.0", `${content.size} octets added`));
    await this.#finishData();
    return "continue";
  }

  async #finishChunk(): Promise<Step> {
    const chunk = this.#chunk;
    this.#chunk = null;
    if (chunk === null) return "continue";
    if (chunk.refusal !== null) return this.#bad(chunk.refusal);
    if (!chunk.isLast) return this.#ok(reply(250, "2.0.0", `${chunk.bytes} octets received`));
    await this.#finishData();
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
    const data = Buffer.concat(receiving.chunks);
    if (this.#submitter !== null && this.submission !== null) {
      await this.#submit(this.submission, this.#submitter, envelope, data);
      return;
    }
    let outcomes: readonly RecipientOutcome[];
    let id = "";
    try {
      const report = await this.deliverer.deliver({
        returnPath: envelope.from,
        recipients: recipients.filter((r): r is AcceptedRecipient => r.kind === "accepted"),
        data: await this.#withAuthenticationResults(envelope.from, data),
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

  /**
   * RFC 6409 §8.1: the From: addresses must be the submitter's too; then local recipients are delivered
   * and remote ones queued by the mail layer's submission service, one reply for the transaction.
   */
  async #submit(
    deps: SubmissionDeps,
    submitter: Submitter,
    envelope: Extract<Envelope, { stage: "open" }>,
    data: Buffer,
  ): Promise<void> {
    const foreign = foreignFromAddresses(data, submitter.own);
    if (foreign.length > 0) {
      this.#send(
        reply(550, "5.7.1", `From: ${foreign.join(", ")} is not an address of ${submitter.account.address}`),
      );
      return;
    }
    let replies: SmtpReply[];
    try {
      const report = await deps.submitter.submit({
        account: submitter.account,
        returnPath: envelope.from,
        recipients: envelope.recipients,
        data,
        heloName: this.#helloName ?? "",
        remoteAddress: this.conn.remoteAddress,
        protocol: protocolName("submission", this.#isExtended, this.conn.isTls, envelope.isUtf8),
        saveToSent: deps.saveToSent,
      });
      replies = report.outcomes.map((o) =>
        o.kind === "delivered"
          ? reply(250, "2.0.0", `Ok: delivered as ${report.id}`)
          : o.kind === "queued"
            ? reply(250, "2.0.0", `Ok: queued as ${report.id}`)
            : this.#mapError(o.error),
      );
    } catch (error) {
      const failure = this.#internalError(error, "submission failed");
      replies = envelope.recipients.map(() => failure);
    }
    this.#replyAfterData(envelope.recipients, replies);
  }

  async #authCommand(mechanism: string, initialResponse: string | null): Promise<Step> {
    const deps = this.submission;
    if (deps === null) return this.#bad(reply(502, "5.5.1", "AUTH not available here"));
    if (!this.#isExtended) return this.#bad(reply(503, "5.5.1", "Say EHLO first"));
    if (this.#submitter !== null) return this.#bad(reply(503, "5.5.1", "Already authenticated"));
    if (this.#envelope.stage === "open")
      return this.#bad(reply(503, "5.5.1", "AUTH is not allowed during a mail transaction"));
    const dialog = SmtpAuthDialog.open(this.conn, deps, mechanism);
    if (dialog === null) {
      const hint = this.conn.isTls ? "" : " (plaintext mechanisms need TLS: use STARTTLS)";
      return this.#bad(reply(504, "5.5.4", `Unsupported authentication mechanism${hint}`));
    }
    return this.#authStep(deps, dialog, await dialog.start(initialResponse));
  }

  #authResponse(dialog: SmtpAuthDialog, line: string): Promise<Step> {
    return dialog
      .respond(line)
      .then((step) => this.#authStep(this.submission as SubmissionDeps, dialog, step));
  }

  async #authStep(deps: SubmissionDeps, dialog: SmtpAuthDialog, step: AuthStep): Promise<Step> {
    if (step.kind === "challenge") {
      this.#auth = dialog;
      this.#out.push(step.line);
      return "continue";
    }
    this.#auth = null;
    if (step.account !== null) {
      const own = await deps.ownAddresses(step.account);
      this.#submitter = { account: step.account, own: new Set(own.map((a) => a.toLowerCase())) };
      this.conn.useAuthenticatedIdleTimeout();
      this.conn.log.info({ account: step.account.address }, "submission login");
    }
    return this.#ok(step.reply);
  }

  /** LMTP: one reply per accepted recipient (RFC 2033 §4.2). SMTP: one reply for the transaction. */
  #replyAfterData(recipients: readonly EnvelopeRecipient[], replies: readonly SmtpReply[]): void {
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
    // RFC 3207 §4.2: everything learnt before TLS is forgotten.
    this.#helloName = null;
    this.#isExtended = false;
    this.#envelope = NO_ENVELOPE;
    this.#submitter = null;
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
