// Sieve at final delivery (RFC 5228 §2.10): for one recipient account, runs the JMAP VacationResponse as
// an implicit script (when enabled and within its dates) and then the account's active script, and turns
// the actions into a plan the delivery service carries out: where to store the message with which flags,
// or a rejection; then the redirects and the vacation reply (de-duplicated per sender and handle in the
// store, RFC 5230 §4.2). A script that fails at run time files the message into INBOX and is logged:
// Sieve never loses a message (docs/sieve.md "Delivery").
import { createHash } from "node:crypto";
import type { AccountId } from "../../kit/ids.js";
import type { Logger } from "../../kit/logger.js";
import { MailError } from "../../kit/mail-error.js";
import { htmlToText } from "../../mime/html-to-text.js";
import {
  type CompiledSieve,
  compileSieve,
  runSieve,
  type SieveAction,
  type SieveMessage,
  type SieveVacation,
  sieveMessageFromBytes,
} from "../../sieve/sieve.js";
import { type FlagSet, type MailStore, SYSTEM_FLAGS, type SystemFlag } from "../../store/mail-store.js";
import { INBOX, normalizeMailboxName } from "../mailbox-name.js";
import { readVacationResponse, type VacationResponse } from "../vacation-response.js";
import { formatRejectionNotice, formatVacationReply } from "./auto-reply-message.js";
import type { GeneratedMailSender } from "./generated-mail-sender.js";

export interface SieveDeliveryOptions {
  readonly hostname: string;
  readonly maxRedirects: number;
  /** How often a JMAP VacationResponse answers one sender at most. */
  readonly vacationResponseDays: number;
  /** RFC 5233 separator ([delivery] recipient_delimiter). */
  readonly subaddressSeparator: string;
}

/** Where one copy goes: a mailbox by name (INBOX for keep), its flags, and whether :create was asked. */
export interface Placement {
  readonly mailbox: string;
  readonly flags: FlagSet;
  readonly create: boolean;
}

export type SievePlan =
  | { readonly kind: "reject"; readonly reason: string }
  | {
      readonly kind: "deliver";
      /** Empty: discarded. */
      readonly placements: readonly Placement[];
      readonly redirects: readonly string[];
      readonly vacation: SieveVacation | null;
    };

/** The recipient one plan is made for. */
export interface SieveRecipient {
  readonly accountId: AccountId;
  readonly accountAddress: string;
  /** The envelope recipient (RCPT TO) that reached the account. */
  readonly address: string;
  /** MAIL FROM; "" for the null reverse-path. */
  readonly returnPath: string;
  readonly deliveryId: string;
}

/** A Sieve refusal (reject/ereject): a permanent failure whose text is the script's reason. */
export class SieveRejection extends MailError {
  constructor(reason: string) {
    super("cannot", reason);
  }
}

export const isSieveRejection = (error: unknown): error is SieveRejection => error instanceof SieveRejection;

const NO_FLAGS: FlagSet = { system: new Set(), keywords: [] };
const INBOX_ONLY: SievePlan = {
  kind: "deliver",
  placements: [{ mailbox: INBOX, flags: NO_FLAGS, create: false }],
  redirects: [],
  vacation: null,
};
/** Compiled scripts by source text: compiling is cheap, but deliveries are many. */
const COMPILED_CACHE_SIZE = 256;
/** The JMAP VacationResponse's handle (RFC 5230 §4.2): its own de-duplication, apart from scripts'. */
const JMAP_VACATION_HANDLE = "jmap-vacation-response";

export class SieveDelivery {
  readonly #compiled = new Map<string, CompiledSieve>();

  constructor(
    private readonly store: MailStore,
    private readonly sender: GeneratedMailSender,
    private readonly options: SieveDeliveryOptions,
    private readonly log: Logger,
  ) {}

  /** The plan for one recipient account, or null when it has no active script and no vacation on. */
  async plan(recipient: SieveRecipient, data: Uint8Array): Promise<SievePlan | null> {
    const [script, vacation] = await Promise.all([
      this.store.sieve.getActive(recipient.accountId),
      readVacationResponse(this.store, { id: recipient.accountId }),
    ]);
    const isVacationOn = isVacationActive(vacation, Date.now());
    if (script === undefined && !isVacationOn) return null;
    const message = sieveMessageFromBytes(data);
    const log = this.log.child({ deliveryId: recipient.deliveryId, account: recipient.accountAddress });
    const implicit = isVacationOn ? await this.#jmapVacation(vacation, message, recipient, log) : null;
    let plan: SievePlan = INBOX_ONLY;
    if (script !== undefined) {
      const compiled = this.#compile(script.content);
      if (compiled === null) {
        log.warn({ script: script.name }, "active Sieve script does not compile; message kept in INBOX");
      } else {
        const outcome = await runSieve(compiled, this.#context(message, recipient));
        if (outcome.ok) plan = this.#toPlan(outcome.actions, message, recipient, log);
        else {
          const { line, column, message: text } = outcome.error;
          log.warn(
            { script: script.name, line, column, error: text },
            "Sieve runtime error; message kept in INBOX",
          );
        }
      }
    }
    // The JMAP vacation answers in place of a script's own (one reply per message, RFC 5230 §4.7).
    if (implicit !== null && plan.kind === "deliver") plan = { ...plan, vacation: implicit };
    return plan;
  }

  /** Sends the plan's redirects and vacation reply; failures are logged, the delivery stands. */
  async performSideEffects(
    plan: Extract<SievePlan, { kind: "deliver" }>,
    recipient: SieveRecipient,
    messageWithTrace: Buffer,
  ): Promise<void> {
    const log = this.log.child({ deliveryId: recipient.deliveryId, account: recipient.accountAddress });
    for (const address of plan.redirects) {
      try {
        const outcome = await this.sender.send({
          returnPath: recipient.returnPath,
          recipient: address,
          data: messageWithTrace,
          accountId: recipient.accountId,
        });
        log.info({ outcome }, "Sieve redirect");
      } catch (error) {
        log.error({ err: error }, "Sieve redirect failed");
      }
    }
    if (plan.vacation !== null) {
      try {
        await this.#sendVacation(plan.vacation, recipient, messageWithTrace, log);
      } catch (error) {
        log.error({ err: error }, "vacation reply failed");
      }
    }
  }

  /** RFC 5429 §2.2: tells the sender that `recipient` refused the message, when SMTP could not. */
  async sendRejectionNotice(recipient: SieveRecipient, reason: string, data: Uint8Array): Promise<void> {
    if (recipient.returnPath === "") return;
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const headerEnd = bytes.indexOf("\r\n\r\n");
    const message = sieveMessageFromBytes(data);
    try {
      await this.sender.send({
        returnPath: "",
        recipient: recipient.returnPath,
        accountId: recipient.accountId,
        data: formatRejectionNotice({
          to: recipient.returnPath,
          recipient: recipient.address,
          reason,
          originalHeader: bytes.toString(
            "utf8",
            0,
            headerEnd < 0 ? Math.min(bytes.length, 65_536) : headerEnd,
          ),
          originalSubject: message.headerValues("subject")[0] ?? "",
          hostname: this.options.hostname,
          nowMs: Date.now(),
        }),
      });
    } catch (error) {
      this.log.error({ err: error, deliveryId: recipient.deliveryId }, "rejection notice failed");
    }
  }

  #compile(source: string): CompiledSieve | null {
    const cached = this.#compiled.get(source);
    if (cached !== undefined) return cached;
    const result = compileSieve(source);
    if (!result.ok) return null;
    if (this.#compiled.size >= COMPILED_CACHE_SIZE) this.#compiled.clear();
    this.#compiled.set(source, result.script);
    return result.script;
  }

  #context(message: SieveMessage, recipient: SieveRecipient) {
    return {
      message,
      envelope: { from: recipient.returnPath, to: recipient.address },
      subaddressSeparator: this.options.subaddressSeparator || "+",
      userAddresses: [...new Set([recipient.accountAddress, recipient.address.toLowerCase()])],
      limits: { maxRedirects: this.options.maxRedirects },
      mailboxExists: async (name: string) => {
        let canonical: string;
        try {
          canonical = normalizeMailboxName(name);
        } catch {
          return false;
        }
        return (await this.store.mailboxes.findByName(recipient.accountId, canonical)) !== undefined;
      },
      includeScript: async (name: string, location: "personal" | "global") =>
        location === "personal"
          ? ((await this.store.sieve.get(recipient.accountId, name))?.content ?? null)
          : null,
    };
  }

  #toPlan(
    actions: readonly SieveAction[],
    message: SieveMessage,
    recipient: SieveRecipient,
    log: Logger,
  ): SievePlan {
    const placements: Placement[] = [];
    const redirects: string[] = [];
    let vacation: SieveVacation | null = null;
    for (const action of actions) {
      switch (action.type) {
        case "keep":
          placements.push({ mailbox: INBOX, flags: toFlagSet(action.flags), create: false });
          break;
        case "fileinto":
          placements.push({ mailbox: action.mailbox, flags: toFlagSet(action.flags), create: action.create });
          break;
        case "redirect":
          redirects.push(action.address);
          break;
        case "reject":
        case "ereject":
          return { kind: "reject", reason: action.reason };
        case "discard":
          break;
        case "vacation":
          vacation = action;
          break;
      }
    }
    if (redirects.length > 0 && hasBeenHere(message, recipient)) {
      // A redirect that came back (a loop between forwarding accounts): keep it here instead.
      log.warn({ redirects: redirects.length }, "Sieve redirect loop; message kept instead");
      if (placements.length === 0) placements.push({ mailbox: INBOX, flags: NO_FLAGS, create: false });
      return { kind: "deliver", placements, redirects: [], vacation };
    }
    return { kind: "deliver", placements, redirects, vacation };
  }

  /** The VacationResponse as an implicit script, so RFC 5230's rules apply to it exactly as to a script's. */
  async #jmapVacation(
    vacation: VacationResponse,
    message: SieveMessage,
    recipient: SieveRecipient,
    log: Logger,
  ): Promise<SieveVacation | null> {
    const reason = vacation.textBody ?? htmlToText(vacation.htmlBody ?? "");
    const subject = vacation.subject === null ? "" : `:subject ${sieveString(vacation.subject)} `;
    const seconds = this.options.vacationResponseDays * 86_400;
    const source = `require ["vacation", "vacation-seconds"];\nvacation :seconds ${seconds} ${subject}:handle ${sieveString(JMAP_VACATION_HANDLE)} ${sieveString(reason)};\n`;
    const compiled = this.#compile(source);
    if (compiled === null) {
      log.error({}, "JMAP VacationResponse did not compile as a script");
      return null;
    }
    const outcome = await runSieve(compiled, {
      ...this.#context(message, recipient),
      limits: { maxVacationSeconds: seconds },
    });
    if (!outcome.ok) return null;
    return (outcome.actions.find((a) => a.type === "vacation") as SieveVacation | undefined) ?? null;
  }

  async #sendVacation(
    vacation: SieveVacation,
    recipient: SieveRecipient,
    original: Buffer,
    log: Logger,
  ): Promise<void> {
    const nowMs = Date.now();
    const sender = vacation.to.toLowerCase();
    const key = createHash("sha256").update(`${sender}\n${vacation.handle}`).digest("hex");
    const isFirst = await this.store.sieve.claimAutoReply(
      recipient.accountId,
      key,
      nowMs,
      vacation.periodSeconds * 1000,
    );
    if (!isFirst) {
      log.info({}, "vacation reply already sent to this sender within the period");
      return;
    }
    const message = sieveMessageFromBytes(original);
    const references = message.headerValues("references")[0] ?? null;
    const data = formatVacationReply({
      from: vacation.from ?? recipient.address,
      to: vacation.to,
      subject: vacation.subject,
      reason: vacation.reason,
      isMime: vacation.isMime,
      inReplyTo: vacation.inReplyTo,
      references,
      hostname: this.options.hostname,
      nowMs,
    });
    const outcome = await this.sender.send({
      returnPath: "",
      recipient: vacation.to,
      data,
      accountId: recipient.accountId,
    });
    log.info({ outcome }, "vacation reply sent");
  }
}

/** Whether a VacationResponse is on now (RFC 8621 §8: isEnabled, and within fromDate/toDate when set). */
export function isVacationActive(vacation: VacationResponse, nowMs: number): boolean {
  if (!vacation.isEnabled) return false;
  if (vacation.fromDate !== null && nowMs < Date.parse(vacation.fromDate)) return false;
  if (vacation.toDate !== null && nowMs >= Date.parse(vacation.toDate)) return false;
  return true;
}

/** Sieve flags (RFC 5232) as a FlagSet: system flags by name, any other valid atom as a keyword. */
export function toFlagSet(flags: readonly string[]): FlagSet {
  const system = new Set<SystemFlag>();
  const keywords = new Map<string, string>();
  for (const flag of flags) {
    const known = SYSTEM_FLAGS.find((f) => f.toLowerCase() === flag.toLowerCase());
    if (known !== undefined) system.add(known);
    else if (/^[^\\\s(){%*"\]\x00-\x1f\x7f]+$/.test(flag) && flag.length <= 100) {
      keywords.set(flag.toLowerCase(), keywords.get(flag.toLowerCase()) ?? flag);
    }
  }
  return { system, keywords: [...keywords.values()].sort() };
}

/** A message that already passed this account (a Delivered-To naming it): a redirect loop. */
function hasBeenHere(message: SieveMessage, recipient: SieveRecipient): boolean {
  const mine = new Set([recipient.accountAddress.toLowerCase(), recipient.address.toLowerCase()]);
  return message.headerValues("delivered-to").some((value) => mine.has(value.trim().toLowerCase()));
}

function sieveString(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
