// Message submission for every protocol (RFC 6409 over SMTP, RFC 8621 EmailSubmission over JMAP): local
// recipients get the message at once through the delivery service; remote ones are signed (the DKIM
// hook), stored as one blob and put in the durable outbound queue, which the outbound sender drains; a
// copy goes to the sender's Sent folder when asked. Sender checks are the caller's (submission-policy.ts).
import { newObjectId } from "../kit/ids.js";
import type { Logger } from "../kit/logger.js";
import { isMailError, MailError } from "../kit/mail-error.js";
import type { AccountRecord, MailStore } from "../store/mail-store.js";
import { splitAddress } from "./address-resolution.js";
import type { DeliveryService, RecipientCheck, RecipientOutcome } from "./delivery-service.js";
import type { DkimSigner } from "./dkim/dkim-signer.js";
import type { MessageService } from "./message-service.js";
import { enqueueOutbound } from "./outbound-enqueue.js";
import { fromAddresses } from "./submission-policy.js";
import { formatReceived } from "./trace-headers.js";

/** A recipient outside this server's domains: it goes through the outbound queue. */
export interface RemoteRecipient {
  readonly kind: "remote";
  readonly address: string;
}

export type SubmissionCheck = RecipientCheck | RemoteRecipient;
export type AcceptedSubmissionRecipient = Extract<SubmissionCheck, { kind: "accepted" | "remote" }>;

export type SubmissionOutcome =
  | RecipientOutcome
  /** In the outbound queue under `queueId` (the recipient's id; `postfach queue` shows it). */
  | { readonly kind: "queued"; readonly queueId: string };

export interface SubmittedMessage {
  readonly account: AccountRecord;
  /** MAIL FROM, already checked against the account's addresses. */
  readonly returnPath: string;
  readonly recipients: readonly AcceptedSubmissionRecipient[];
  /** The message as the client sent it (without Bcc for JMAP). */
  readonly data: Buffer;
  readonly heloName: string;
  readonly remoteAddress: string;
  /** RFC 3848 "with" keyword: ESMTPSA, ESMTPA, HTTP. */
  readonly protocol: string;
  /** The JMAP EmailSubmission whose deliveryStatus follows the queued recipients. */
  readonly submissionId?: string;
  /** Keep a copy in the account's Sent folder (\Seen). */
  readonly saveToSent: boolean;
}

export interface SubmissionReport {
  readonly id: string;
  /** One per recipient, in the order given. */
  readonly outcomes: readonly SubmissionOutcome[];
}

export interface SubmissionOptions {
  readonly hostname: string;
  /** DKIM (RFC 6376): signs each queued message once, before its first attempt. */
  readonly signer: Pick<DkimSigner, "signOutbound">;
  /** Called after recipients were queued, so the sender tries them at once. */
  readonly onQueued: () => void;
}

const SEEN = { system: new Set(["\\Seen"] as const), keywords: [] };

export class SubmissionService {
  constructor(
    private readonly store: MailStore,
    private readonly delivery: Pick<DeliveryService, "checkRecipient" | "deliver">,
    private readonly messages: Pick<MessageService, "append">,
    private readonly options: SubmissionOptions,
    private readonly log: Logger,
  ) {}

  /** Local recipients as delivery sees them (unknown local users refused); any other domain is remote. */
  async checkRecipient(address: string): Promise<SubmissionCheck> {
    const check = await this.delivery.checkRecipient(address);
    return check.kind === "notLocal" ? { kind: "remote", address } : check;
  }

  async submit(message: SubmittedMessage): Promise<SubmissionReport> {
    const id = newObjectId("E").slice(1, 13);
    const outcomes: SubmissionOutcome[] = message.recipients.map(() => ({
      kind: "failed",
      error: new MailError("unavailable", "Not handled"),
      isTemporary: true,
    }));
    const localAt: number[] = [];
    const remoteAt: number[] = [];
    for (const [i, r] of message.recipients.entries()) (r.kind === "accepted" ? localAt : remoteAt).push(i);

    if (remoteAt.length > 0) {
      const queued = await this.#enqueue(message, id, remoteAt);
      remoteAt.forEach((position, i) => {
        outcomes[position] = queued[i] as SubmissionOutcome;
      });
    }
    if (localAt.length > 0) {
      const report = await this.delivery.deliver({
        returnPath: message.returnPath,
        recipients: localAt.map(
          (i) => message.recipients[i] as Extract<SubmissionCheck, { kind: "accepted" }>,
        ),
        data: message.data,
        heloName: message.heloName,
        remoteAddress: message.remoteAddress,
        protocol: message.protocol,
      });
      localAt.forEach((position, i) => {
        outcomes[position] = report.outcomes[i] as SubmissionOutcome;
      });
    }
    if (message.saveToSent && outcomes.some((o) => o.kind !== "failed")) await this.#saveToSent(message, id);
    this.log.info(
      {
        submissionId: id,
        account: message.account.address,
        size: message.data.length,
        local: localAt.length,
        queued: outcomes.filter((o) => o.kind === "queued").length,
      },
      "message submitted",
    );
    return { id, outcomes };
  }

  /**
   * Stores the signed message (with this hop's Received line) once and queues every remote recipient in
   * one transaction; a storage failure fails them all, temporarily, so the client retries.
   */
  async #enqueue(
    message: SubmittedMessage,
    id: string,
    positions: readonly number[],
  ): Promise<SubmissionOutcome[]> {
    try {
      const nowMs = Date.now();
      const received = formatReceived({
        deliveredTo: null,
        heloName: message.heloName,
        remoteAddress: message.remoteAddress,
        hostname: this.options.hostname,
        protocol: message.protocol,
        id,
        receivedAtMs: nowMs,
      });
      const fromDomain =
        splitAddress(fromAddresses(message.data)[0] ?? message.returnPath)?.domain ??
        splitAddress(message.account.address)?.domain ??
        "";
      const signed = await this.options.signer.signOutbound(
        fromDomain.toLowerCase(),
        Buffer.concat([Buffer.from(received, "utf8"), message.data]),
      );
      const records = await enqueueOutbound(this.store, {
        id,
        accountId: message.account.id,
        submissionId: message.submissionId ?? null,
        returnPath: message.returnPath,
        recipients: positions.map((p) => (message.recipients[p] as AcceptedSubmissionRecipient).address),
        data: signed,
      });
      this.options.onQueued();
      return records.map((record) => ({ kind: "queued", queueId: record.id }));
    } catch (error) {
      const failure: SubmissionOutcome = {
        kind: "failed",
        error: isMailError(error)
          ? error
          : new MailError("serverBug", `Internal error (${id})`, { cause: error }),
        isTemporary: true,
      };
      if (!isMailError(error)) this.log.error({ err: error, submissionId: id }, "queueing failed");
      return positions.map(() => failure);
    }
  }

  /** The Sent copy is a convenience: failing to save it never fails the submission (it is logged). */
  async #saveToSent(message: SubmittedMessage, id: string): Promise<void> {
    try {
      const sent = (await this.store.mailboxes.list(message.account.id)).find(
        (m) => m.specialUse === "\\Sent",
      );
      if (sent === undefined) return;
      await this.messages.append(message.account.id, sent.id, message.data, { flags: SEEN });
    } catch (error) {
      this.log.warn(
        { err: error, submissionId: id, account: message.account.address },
        "could not save the Sent copy",
      );
    }
  }
}
