// Sends what Sieve generates (vacation replies, redirects, rejection notices) the way a user's own mail
// goes: through the submission service, so a local recipient gets it from the delivery service at once
// and any other domain through the durable outbound queue (DKIM-signed, retried, never sent from inside
// a delivery). Nothing goes to Sent.
import type { AccountId } from "../../kit/ids.js";
import type { Logger } from "../../kit/logger.js";
import type { AccountRepository } from "../../store/mail-store.js";
import type { SubmissionService } from "../submission-service.js";

export interface GeneratedMail {
  /** Envelope sender: "" (the null reverse-path) for automatic replies and notices. */
  readonly returnPath: string;
  readonly recipient: string;
  readonly data: Buffer;
  /** The account on whose behalf it goes (its domain's DKIM key, the queue's record). */
  readonly accountId: AccountId;
}

export type SendOutcome = "delivered" | "queued" | "failed";

export class GeneratedMailSender {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly submission: () => Pick<SubmissionService, "checkRecipient" | "submit">,
    private readonly hostname: string,
    private readonly log: Logger,
  ) {}

  async send(mail: GeneratedMail): Promise<SendOutcome> {
    const submission = this.submission();
    const account = await this.accounts.get(mail.accountId);
    if (account === undefined) return "failed";
    const check = await submission.checkRecipient(mail.recipient);
    if (check.kind === "rejected" || check.kind === "notLocal") {
      this.log.info({ recipient: mail.recipient }, "generated message not sent: recipient refused");
      return "failed";
    }
    const report = await submission.submit({
      account,
      returnPath: mail.returnPath,
      recipients: [check],
      data: mail.data,
      heloName: this.hostname,
      remoteAddress: "127.0.0.1",
      protocol: "LOCAL",
      saveToSent: false,
    });
    const outcome = report.outcomes[0];
    return outcome?.kind === "delivered" ? "delivered" : outcome?.kind === "queued" ? "queued" : "failed";
  }
}
