// EmailSubmission (RFC 8621 §7): the stored objects (JSON in the store's jmap_objects, type
// "EmailSubmission", with their own change counter), their state strings, and sending one: the envelope
// from the object or the message's headers (§7 "envelope"), the sender checked against the account's
// identities, and the message handed to the mail layer's submission service: local recipients are
// delivered at once (the LMTP path, so quota, aliases and push apply), others go to the outbound queue
// with deliveryStatus "queued" until the sender settles them (recordDeliveryStatus). No Sent copy is made
// here: JMAP clients move the sent Email themselves (onSuccessUpdateEmail, as the webmail does).
import { randomBytes } from "node:crypto";
import type { AccountId, EmailId } from "../kit/ids.js";
import { parseHeaderBlock } from "../mime/header.js";
import { isPlainObject } from "./args.js";
import { headerPropertyValue } from "./header-forms.js";
import type { JmapContext, JmapServices } from "./jmap-context.js";
import { MethodError, type SetError } from "./jmap-error.js";
import { isWritableAddress } from "./message-writer.js";
import { utcDateOf } from "./utc-date.js";

export const SUBMISSION_TYPE = "EmailSubmission";

export const SUBMISSION_PROPERTIES = [
  "id",
  "identityId",
  "emailId",
  "threadId",
  "envelope",
  "sendAt",
  "undoStatus",
  "deliveryStatus",
  "dsnBlobIds",
  "mdnBlobIds",
] as const;

export interface EnvelopeAddress {
  readonly email: string;
  readonly parameters: Record<string, string | null> | null;
}

export interface Envelope {
  readonly mailFrom: EnvelopeAddress;
  readonly rcptTo: readonly EnvelopeAddress[];
}

export interface DeliveryStatus {
  readonly smtpReply: string;
  readonly delivered: "queued" | "yes" | "no" | "unknown";
  readonly displayed: "unknown" | "yes";
}

export interface EmailSubmissionObject {
  readonly id: string;
  readonly identityId: string;
  readonly emailId: string;
  readonly threadId: string;
  readonly envelope: Envelope;
  readonly sendAt: string;
  readonly undoStatus: "pending" | "final" | "canceled";
  readonly deliveryStatus: Record<string, DeliveryStatus>;
  readonly dsnBlobIds: readonly string[];
  readonly mdnBlobIds: readonly string[];
}

/** A type-counter state string ("o" + modseq), distinct in shape from the mail states ("s" + modseq). */
export function formatObjectState(modSeq: number): string {
  return `o${modSeq}`;
}

/** The modseq of a state string from formatObjectState; cannotCalculateChanges for anything else. */
export function parseObjectState(state: string, highest: number): number {
  const match = /^o(0|[1-9][0-9]{0,15})$/.exec(state);
  const value = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(value) || value > highest) {
    throw new MethodError("cannotCalculateChanges", "This state string was not issued by this server");
  }
  return value;
}

export async function listSubmissions(ctx: JmapContext): Promise<EmailSubmissionObject[]> {
  const records = await ctx.services.store.jmapObjects.list(ctx.account.id, SUBMISSION_TYPE);
  return records.map((record) => JSON.parse(record.data as string) as EmailSubmissionObject);
}

export async function submissionState(ctx: JmapContext): Promise<string> {
  return formatObjectState(
    await ctx.services.store.jmapObjects.highestModSeq(ctx.account.id, SUBMISSION_TYPE),
  );
}

/** What a create needs to know about the account: the identities and the addresses it may send from. */
export interface Sender {
  readonly identities: ReadonlyMap<string, string>;
  /** Lower-case addresses of the account (primary and aliases). */
  readonly ownAddresses: ReadonlySet<string>;
}

class Refusal extends Error {
  constructor(readonly setError: SetError) {
    super(setError.description ?? setError.type);
  }
}
const refuse = (type: SetError["type"], description: string, extra: Partial<SetError> = {}): Refusal =>
  new Refusal({ type, description, ...extra });

const SETTABLE = new Set(["identityId", "emailId", "envelope"]);

/**
 * Checks one EmailSubmission create and delivers its email; resolves to the stored object, or a SetError
 * (the email is then not sent to anyone).
 */
export async function submitEmail(
  ctx: JmapContext,
  object: unknown,
  sender: Sender,
): Promise<EmailSubmissionObject | SetError> {
  try {
    return await submit(ctx, object, sender);
  } catch (error) {
    if (error instanceof Refusal) return error.setError;
    throw error;
  }
}

async function submit(ctx: JmapContext, object: unknown, sender: Sender): Promise<EmailSubmissionObject> {
  const invalid = (property: string, description: string) =>
    refuse("invalidProperties", description, { properties: [property] });
  if (!isPlainObject(object)) throw invalid("", "An EmailSubmission must be an object");
  for (const key of Object.keys(object)) {
    // RFC 8621 §7.5: undoStatus may be given on create, as "pending" or "final"; we only send at once.
    if (key === "undoStatus" && (object.undoStatus === "final" || object.undoStatus === "pending")) continue;
    if (!SETTABLE.has(key)) throw invalid(key, `"${key}" cannot be set`);
  }
  const { identityId, emailId: givenEmailId } = object;
  if (typeof identityId !== "string") throw invalid("identityId", '"identityId" is required');
  const identityEmail = sender.identities.get(identityId);
  if (identityEmail === undefined) throw invalid("identityId", `No identity ${identityId}`);
  if (typeof givenEmailId !== "string") throw invalid("emailId", '"emailId" is required');
  const emailId = givenEmailId.startsWith("#") ? ctx.createdIds.get(givenEmailId.slice(1)) : givenEmailId;
  const email =
    emailId === undefined
      ? undefined
      : await ctx.services.store.messages.getEmail(ctx.account.id, emailId as EmailId);
  if (email === undefined) throw invalid("emailId", `No email ${givenEmailId}`);
  const raw = await ctx.services.store.blobs.read(email.blobHash);
  const header = parseHeaderBlock(raw, 0, raw.length);
  const addresses = (name: string) =>
    headerPropertyValue(raw, header.fields, { name, form: "Addresses", isAll: true }) as {
      email: string;
    }[][];
  const from = addresses("from").flat();
  if (from.length === 0)
    throw refuse("invalidEmail", "The email has no From address", { properties: ["from"] });
  const notOwn = from.filter((a) => !sender.ownAddresses.has(a.email.toLowerCase()));
  if (notOwn.length > 0) {
    throw refuse(
      "forbiddenFrom",
      `This account may not send as ${notOwn.map((a) => a.email).join(", ")}: use one of its identities`,
    );
  }
  const envelope = readEnvelope(object.envelope, addresses, from);
  if (!sender.ownAddresses.has(envelope.mailFrom.email.toLowerCase())) {
    throw refuse(
      "forbiddenMailFrom",
      `This account may not use ${envelope.mailFrom.email} as the envelope sender`,
    );
  }
  if (envelope.rcptTo.length === 0) throw refuse("noRecipients", "The email has no recipients");
  // The limit an SMTP transaction has ([limits] max_recipients), so no path sends to more at once.
  const maxRecipients = ctx.limits.maxRecipientsPerSubmission;
  if (envelope.rcptTo.length > maxRecipients) {
    throw refuse("tooManyRecipients", `At most ${maxRecipients} recipients per submission`, {
      maxRecipients,
    });
  }

  const { submission } = ctx.services;
  const checks = await Promise.all(envelope.rcptTo.map((rcpt) => submission.checkRecipient(rcpt.email)));
  const unknown = envelope.rcptTo
    .filter((_, i) => {
      const check = checks[i];
      return check?.kind === "rejected" && check.error.code === "nonexistent";
    })
    .map((r) => r.email);
  if (unknown.length > 0) {
    throw refuse("invalidRecipients", `No such recipients here: ${unknown.join(", ")}`, {
      invalidRecipients: unknown,
    });
  }

  const id = `S${randomBytes(12).toString("base64url")}`;
  const deliveryStatus: Record<string, DeliveryStatus> = {};
  const accepted = [];
  const acceptedAddresses: string[] = [];
  for (const [i, check] of checks.entries()) {
    const address = (envelope.rcptTo[i] as EnvelopeAddress).email;
    if (check.kind === "accepted" || check.kind === "remote") {
      accepted.push(check);
      acceptedAddresses.push(address);
    } else if (check.kind === "rejected") {
      deliveryStatus[address] = {
        smtpReply: `550 5.2.2 ${check.error.publicText}`,
        delivered: "no",
        displayed: "unknown",
      };
    }
  }
  if (accepted.length > 0) {
    const report = await submission.submit({
      account: ctx.account,
      returnPath: envelope.mailFrom.email,
      recipients: accepted,
      data: withoutBcc(raw, header),
      heloName: "jmap",
      remoteAddress: ctx.remoteAddress,
      protocol: "HTTP",
      submissionId: id,
      saveToSent: false,
    });
    for (const [i, outcome] of report.outcomes.entries()) {
      const address = acceptedAddresses[i] as string;
      deliveryStatus[address] =
        outcome.kind === "delivered"
          ? { smtpReply: "250 2.1.5 Delivered", delivered: "yes", displayed: "unknown" }
          : outcome.kind === "queued"
            ? {
                smtpReply: `250 2.0.0 Queued as ${outcome.queueId}`,
                delivered: "queued",
                displayed: "unknown",
              }
            : {
                smtpReply: `${outcome.isTemporary ? "451 4.3.0" : "550 5.2.0"} ${outcome.error.publicText}`,
                delivered: "no",
                displayed: "unknown",
              };
    }
  }
  return {
    id,
    identityId,
    emailId: email.emailId,
    threadId: email.threadId,
    envelope,
    sendAt: utcDateOf(Date.now()),
    undoStatus: "final",
    deliveryStatus,
    dsnBlobIds: [],
    mdnBlobIds: [],
  };
}

/**
 * The envelope as given, or RFC 8621 §7's default: MAIL FROM the Sender address (else the single From
 * address), RCPT TO every To, Cc and Bcc address once.
 */
function readEnvelope(
  given: unknown,
  addresses: (name: string) => { email: string }[][],
  from: readonly { email: string }[],
): Envelope {
  const invalid = (description: string) =>
    refuse("invalidProperties", description, { properties: ["envelope"] });
  if (given !== undefined && given !== null) {
    if (!isPlainObject(given)) throw invalid('"envelope" must be an Envelope object');
    const mailFrom = readAddress(given.mailFrom, invalid);
    if (!Array.isArray(given.rcptTo)) throw invalid('"envelope/rcptTo" must be a list of addresses');
    const rcptTo = given.rcptTo.map((rcpt) => readAddress(rcpt, invalid));
    return { mailFrom, rcptTo };
  }
  const senderField = addresses("sender").flat();
  const mailFromAddress = senderField[0] ?? (from.length === 1 ? from[0] : undefined);
  if (mailFromAddress === undefined) {
    throw refuse("invalidEmail", "With several From addresses the email needs a Sender", {
      properties: ["sender"],
    });
  }
  const seen = new Set<string>();
  const rcptTo: EnvelopeAddress[] = [];
  for (const address of ["to", "cc", "bcc"].flatMap((name) => addresses(name).flat())) {
    const key = address.email.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    rcptTo.push({ email: address.email, parameters: null });
  }
  return { mailFrom: { email: mailFromAddress.email, parameters: null }, rcptTo };
}

function readAddress(value: unknown, invalid: (description: string) => Refusal): EnvelopeAddress {
  if (!isPlainObject(value) || typeof value.email !== "string" || !isWritableAddress(value.email)) {
    throw invalid("Each envelope address needs a valid email");
  }
  const parameters = value.parameters ?? null;
  // No SMTP extension parameters are supported (submissionExtensions is empty).
  if (parameters !== null && !(isPlainObject(parameters) && Object.keys(parameters).length === 0)) {
    throw invalid("Envelope parameters are not supported");
  }
  return { email: value.email, parameters: null };
}

/** The message without its Bcc fields (RFC 5322 §3.6.3: the recipients must not see them). */
function withoutBcc(raw: Buffer, header: ReturnType<typeof parseHeaderBlock>): Buffer {
  const bcc = header.fields.filter((field) => field.name === "bcc");
  if (bcc.length === 0) return raw;
  const pieces: Buffer[] = [];
  let position = 0;
  for (const field of bcc) {
    pieces.push(raw.subarray(position, field.start));
    position = field.end;
  }
  pieces.push(raw.subarray(position));
  return Buffer.concat(pieces);
}

/**
 * The outbound sender settled a queued recipient of a submission: its deliveryStatus becomes "yes" or
 * "no" with the final reply (RFC 8621 §7 deliveryStatus), a change of the submission for /changes.
 */
export async function recordDeliveryStatus(
  store: JmapServices["store"],
  accountId: AccountId,
  submissionId: string,
  recipient: string,
  isDelivered: boolean,
  smtpReply: string,
): Promise<void> {
  const record = (await store.jmapObjects.list(accountId, SUBMISSION_TYPE)).find(
    (r) => r.id === submissionId,
  );
  if (record?.data == null) return;
  const submission = JSON.parse(record.data) as EmailSubmissionObject;
  const key = Object.keys(submission.deliveryStatus).find((k) => k.toLowerCase() === recipient.toLowerCase());
  if (key === undefined) return;
  const updated: EmailSubmissionObject = {
    ...submission,
    deliveryStatus: {
      ...submission.deliveryStatus,
      [key]: { smtpReply, delivered: isDelivered ? "yes" : "no", displayed: "unknown" },
    },
  };
  await store.jmapObjects.put(accountId, SUBMISSION_TYPE, submissionId, JSON.stringify(updated));
}
