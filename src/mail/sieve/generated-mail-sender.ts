// Sends what Sieve generates (vacation replies, redirects, rejection notices): a local recipient gets it
// through the delivery service, like any inbound message; any other goes into the durable outbound queue
// (store.outbound, drained by the outbound sender), so it is never sent from inside a delivery.

import type { AccountId } from "../../kit/ids.js";
import type { Logger } from "../../kit/logger.js";
import type { MailStore } from "../../store/mail-store.js";
import type { DeliveryService } from "../delivery-service.js";
import { enqueueOutbound } from "../outbound-enqueue.js";

export interface GeneratedMail {
  /** Envelope sender: "" (the null reverse-path) for automatic replies and notices. */
  readonly returnPath: string;
  readonly recipient: string;
  readonly data: Buffer;
  /** The account on whose behalf it goes (the outbound queue records it). */
  readonly accountId: AccountId;
}

export type SendOutcome = "delivered" | "queued" | "failed";

export class GeneratedMailSender {
  constructor(
    private readonly store: MailStore,
    private readonly delivery: () => Pick<DeliveryService, "checkRecipient" | "deliver">,
    private readonly hostname: string,
    private readonly log: Logger,
  ) {}

  async send(mail: GeneratedMail): Promise<SendOutcome> {
    const delivery = this.delivery();
    const check = await delivery.checkRecipient(mail.recipient);
    if (check.kind === "rejected") {
      this.log.info({ code: check.error.code }, "generated message not sent: local recipient refused it");
      return "failed";
    }
    if (check.kind === "accepted") {
      const report = await delivery.deliver({
        returnPath: mail.returnPath,
        recipients: [check],
        data: mail.data,
        heloName: this.hostname,
        remoteAddress: "127.0.0.1",
        protocol: "SIEVE",
      });
      return report.outcomes[0]?.kind === "delivered" ? "delivered" : "failed";
    }
    await enqueueOutbound(this.store, {
      accountId: mail.accountId,
      returnPath: mail.returnPath,
      recipients: [mail.recipient],
      data: mail.data,
    });
    return "queued";
  }
}
