// Drains the durable outbound queue (RFC 5321 §4.5.4): polls for due recipients (and at once when a
// submission wakes it), sends each message once per recipient domain — to the smarthost or the domain's
// MX hosts in order — and settles every recipient: delivered (removed), failed for good (removed, DSN to
// the sender), or failed for now (tried again on the retry schedule until the queue lifetime is over).
import type { Logger } from "../kit/logger.js";
import { METRICS } from "../kit/metrics.js";
import type { DeliveryService } from "../mail/delivery-service.js";
import type { DnsResolver } from "../net/dns-resolver.js";
import type { MailStore, OutboundRecord } from "../store/mail-store.js";
import { buildDsn, type FailedRecipient, statusOf } from "./dsn.js";
import { retryDelayMs } from "./retry-schedule.js";
import { type Route, routeToMx } from "./route.js";
import { formatServerReply, isPermanentReply, isPositiveReply } from "./server-reply.js";
import { type SmtpTarget, sendTransaction } from "./smtp-client.js";

export interface OutboundSenderOptions {
  /** EHLO name, Reporting-MTA of DSNs. */
  readonly hostname: string;
  /** All mail to this relay; null for MX delivery. */
  readonly smarthost: SmtpTarget | null;
  readonly mxPort: number;
  readonly retryScheduleMs: readonly number[];
  readonly queueLifetimeMs: number;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  readonly concurrency: number;
}

/** How one recipient ended, for the JMAP deliveryStatus of its submission. */
export interface FinalStatus {
  readonly record: OutboundRecord;
  readonly isDelivered: boolean;
  /** The reply that settled it ("250 2.0.0 Ok", "550 5.1.1 …", or the expiry). */
  readonly reply: string;
}

type Settlement =
  | { readonly kind: "delivered"; readonly reply: string }
  | { readonly kind: "failed"; readonly reply: string; readonly remoteMta: string | null }
  | { readonly kind: "deferred"; readonly reply: string };

export class OutboundSender {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #isAgain = false;
  #isStopped = false;

  constructor(
    private readonly store: MailStore,
    private readonly dns: DnsResolver,
    private readonly delivery: Pick<DeliveryService, "checkRecipient" | "deliver">,
    private readonly options: OutboundSenderOptions,
    private readonly log: Logger,
    private readonly onFinal: (status: FinalStatus) => Promise<void> = async () => {},
  ) {}

  start(): void {
    this.#isStopped = false;
    this.#timer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.#timer.unref();
    this.wake();
  }

  /** Looks for due recipients now (after a submission queued some, or `postfach queue retry`). */
  wake(): void {
    if (this.#isStopped) return;
    if (this.#running !== null) {
      this.#isAgain = true;
      return;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = null;
    });
  }

  /** Stops polling and waits for the deliveries in flight (each bounded by the timeouts). */
  async stop(): Promise<void> {
    this.#isStopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  async #drain(): Promise<void> {
    try {
      do {
        this.#isAgain = false;
        const nowMs = Date.now();
        const limit = this.options.concurrency * 16;
        // The lease outlasts any attempt (each MX host is bounded by the timeouts), so no other poller
        // takes these recipients while this one sends them.
        const leaseMs = this.options.timeoutMs * 20;
        const due = await this.store.outbound.claimDue(nowMs, nowMs + leaseMs, limit);
        if (due.length === limit) this.#isAgain = true;
        METRICS.outboundSending.add({}, due.length);
        try {
          await runLimited(groupByMessageAndDomain(due), this.options.concurrency, (group) =>
            this.#deliverGroup(group),
          );
        } finally {
          METRICS.outboundSending.add({}, -due.length);
        }
      } while (this.#isAgain && !this.#isStopped);
    } catch (error) {
      this.log.error({ err: error }, "outbound queue run failed");
    }
  }

  async #deliverGroup(records: readonly OutboundRecord[]): Promise<void> {
    const first = records[0];
    if (first === undefined) return;
    let data: Buffer;
    try {
      data = await this.store.blobs.read(first.blobHash);
    } catch (error) {
      this.log.error({ err: error, queueId: first.messageId }, "queued message unreadable; kept for a retry");
      await this.#settle(records, data0(), () => ({
        kind: "deferred",
        reply: "451 4.3.0 Queued message unreadable",
      }));
      return;
    }
    const domain = domainOf(first.recipient);
    const route: Route =
      this.options.smarthost !== null
        ? { kind: "hosts", targets: [this.options.smarthost] }
        : await routeToMx(domain, this.dns, this.options.mxPort);
    if (route.kind === "none") {
      const kind = route.isPermanent ? "failed" : "deferred";
      await this.#settle(records, data, () => ({ kind, reply: route.reply, remoteMta: null }) as Settlement);
      return;
    }
    const reasons: string[] = [];
    for (const target of route.targets) {
      const result = await sendTransaction(
        target,
        this.options.hostname,
        { from: first.returnPath, recipients: records.map((r) => r.recipient), data },
        this.options.timeoutMs,
      );
      if (result.kind === "replies") {
        await this.#settle(records, data, (_record, i) => {
          const reply = result.replies[i];
          if (reply === undefined) return { kind: "deferred", reply: "451 4.3.0 No reply" };
          const text = formatServerReply(reply);
          if (isPositiveReply(reply)) return { kind: "delivered", reply: text };
          return isPermanentReply(reply)
            ? { kind: "failed", reply: text, remoteMta: target.servername }
            : { kind: "deferred", reply: `${target.servername}: ${text}` };
        });
        return;
      }
      reasons.push(`${target.servername}[${target.host}]: ${result.reason}`);
      // A 5xx to MAIL FROM refuses the sender for good; other failures move on to the next host.
      if (result.reply !== null && isPermanentReply(result.reply) && result.reason.startsWith("MAIL FROM")) {
        const text = formatServerReply(result.reply);
        await this.#settle(records, data, () => ({
          kind: "failed",
          reply: text,
          remoteMta: target.servername,
        }));
        return;
      }
    }
    const reason = `451 4.4.1 No mail host took the message: ${reasons.join("; ")}`;
    await this.#settle(records, data, () => ({ kind: "deferred", reply: reason }));
  }

  /** Removes, bounces or reschedules each recipient as `decide` says; one DSN for the failed ones. */
  async #settle(
    records: readonly OutboundRecord[],
    data: Buffer,
    decide: (record: OutboundRecord, position: number) => Settlement,
  ): Promise<void> {
    const nowMs = Date.now();
    const failed: FailedRecipient[] = [];
    for (const [position, record] of records.entries()) {
      let settlement = decide(record, position);
      const attempts = record.attempts + 1;
      if (settlement.kind === "deferred" && nowMs - record.createdAtMs >= this.options.queueLifetimeMs) {
        settlement = {
          kind: "failed",
          reply: `Delivery time expired after ${attempts} attempts; last error: ${settlement.reply}`,
          remoteMta: null,
        };
        failed.push({
          recipient: record.recipient,
          status: "4.4.7",
          diagnostic: settlement.reply,
          remoteMta: null,
        });
      } else if (settlement.kind === "failed") {
        failed.push({
          recipient: record.recipient,
          status: statusOf(settlement.reply),
          diagnostic: settlement.reply,
          remoteMta: settlement.remoteMta,
        });
      }
      const log = { queueId: record.id, recipient: record.recipient, attempts, reply: settlement.reply };
      if (settlement.kind === "deferred") {
        const nextMs = nowMs + retryDelayMs(this.options.retryScheduleMs, attempts);
        await this.store.outbound.reschedule(record.id, attempts, nextMs, settlement.reply);
        this.log.info(
          { ...log, nextAttemptAt: new Date(nextMs).toISOString() },
          "outbound delivery deferred",
        );
        continue;
      }
      await this.store.outbound.remove([record.id]);
      this.log.info(
        log,
        settlement.kind === "delivered" ? "outbound delivery done" : "outbound delivery failed",
      );
      await this.onFinal({
        record,
        isDelivered: settlement.kind === "delivered",
        reply: settlement.reply,
      }).catch((error) =>
        this.log.warn({ err: error, queueId: record.id }, "could not record the delivery status"),
      );
    }
    const first = records[0];
    if (failed.length > 0 && first !== undefined) await this.#bounce(first, data, failed, nowMs);
  }

  /** The DSN goes to the (local) sender through final delivery; never for the null reverse-path. */
  async #bounce(
    record: OutboundRecord,
    original: Buffer,
    failed: FailedRecipient[],
    nowMs: number,
  ): Promise<void> {
    if (record.returnPath === "") return;
    try {
      const check = await this.delivery.checkRecipient(record.returnPath);
      if (check.kind !== "accepted") {
        this.log.warn(
          { queueId: record.messageId, to: record.returnPath },
          "DSN not delivered: sender not local",
        );
        return;
      }
      const dsn = buildDsn({
        hostname: this.options.hostname,
        to: record.returnPath,
        arrivalMs: record.createdAtMs,
        nowMs,
        failed,
        original,
      });
      await this.delivery.deliver({
        returnPath: "",
        recipients: [check],
        data: dsn,
        heloName: this.options.hostname,
        remoteAddress: "127.0.0.1",
        protocol: "ESMTP",
      });
      this.log.info({ queueId: record.messageId, to: record.returnPath, failed: failed.length }, "DSN sent");
    } catch (error) {
      this.log.error({ err: error, queueId: record.messageId }, "DSN delivery failed");
    }
  }
}

const data0 = (): Buffer => Buffer.alloc(0);

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}

/** One SMTP transaction per message and recipient domain (RFC 5321 §3.3 allows many RCPTs per one). */
function groupByMessageAndDomain(records: readonly OutboundRecord[]): OutboundRecord[][] {
  const groups = new Map<string, OutboundRecord[]>();
  for (const record of records) {
    const key = `${record.messageId}\u0000${domainOf(record.recipient)}`;
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return [...groups.values()];
}

async function runLimited<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
