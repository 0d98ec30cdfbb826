// The contract between the interpreter and its caller (delivery): what the script may read (message,
// envelope, clock, mailboxes, included scripts) and what it decides (the actions). The caller performs the
// actions; the interpreter never touches the store or the network.

import type { SieveMessage } from "./message.js";
import type { SieveError } from "./sieve-error.js";
import type { CompiledCommand } from "./validator.js";

/** A script that compiled; opaque to callers, reusable for any number of runs. */
export interface CompiledSieve {
  readonly commands: readonly CompiledCommand[];
  /** The capabilities the script required. */
  readonly required: ReadonlySet<string>;
}

/** The SMTP/LMTP envelope of this delivery (RFC 5228 §5.4). */
export interface SieveEnvelope {
  /** MAIL FROM reverse-path without angle brackets; "" for the null sender (bounces). */
  readonly from: string;
  /** The RCPT TO address this delivery is for. */
  readonly to: string;
  /** The recipient as first given (RFC 3461 ORCPT, or before alias resolution); defaults to `to`. */
  readonly originalRecipient?: string;
}

export type IncludeLocation = "personal" | "global";

/** Limits on one run; defaults in DEFAULT_SIEVE_LIMITS. */
export interface SieveLimits {
  /** Actions of all kinds (keep, fileinto, redirect, …) one run may take. */
  readonly maxActions: number;
  /** Redirects one run may take (each sends mail to someone else). */
  readonly maxRedirects: number;
  /** How deep include may nest (RFC 6609 §3.2 leaves it to the implementation). */
  readonly maxIncludeDepth: number;
  /** Scripts included in one run in all. */
  readonly maxIncludes: number;
  /** Variables one script may define (RFC 5229 §6). */
  readonly maxVariables: number;
  /** Characters a variable value keeps (RFC 5229 §6 requires at least 4000). */
  readonly maxVariableChars: number;
  /** Vacation :days/:seconds are clamped into [min, max] (RFC 5230 §4.1, RFC 6131). */
  readonly minVacationSeconds: number;
  readonly maxVacationSeconds: number;
  /** Characters compared by all header, address, body and string matches of one run (a CPU bound). */
  readonly maxMatchSteps: number;
}

export const DEFAULT_SIEVE_LIMITS: SieveLimits = {
  maxActions: 32,
  maxRedirects: 4,
  maxIncludeDepth: 8,
  maxIncludes: 32,
  maxVariables: 256,
  maxVariableChars: 8192,
  minVacationSeconds: 0,
  maxVacationSeconds: 90 * 86_400,
  maxMatchSteps: 20_000_000,
};

/** Everything a run may read. Only `message` and `envelope` are required. */
export interface SieveContext {
  readonly message: SieveMessage;
  readonly envelope: SieveEnvelope;
  /** The moment of delivery for `currentdate` (default: now). */
  readonly now?: Date;
  /** The zone date tests use without :zone, minutes east of UTC (RFC 5260 §4: the local zone; default 0). */
  readonly localZoneOffsetMinutes?: number;
  /** RFC 5233 separator between user and detail (default "+"). */
  readonly subaddressSeparator?: string;
  /** The account's own addresses: vacation replies only when one of them is a recipient (RFC 5230 §4.5). Defaults to the envelope recipient. */
  readonly userAddresses?: readonly string[];
  /** RFC 5490 mailboxexists; without it every mailbox counts as missing. */
  mailboxExists?(name: string): boolean | Promise<boolean>;
  /** RFC 6609 include: a script's source (or a compiled script), null when there is none. */
  includeScript?(name: string, location: IncludeLocation): Promise<string | CompiledSieve | null>;
  readonly limits?: Partial<SieveLimits>;
}

/** One action for the caller to perform, in script order. */
export type SieveAction =
  /** Store in INBOX (RFC 5228 §4.3); `isImplicit` when no action cancelled the implicit keep (§2.10.2). */
  | { readonly type: "keep"; readonly flags: readonly string[]; readonly isImplicit: boolean }
  /** Store in `mailbox` (full UTF-8 name, "/" hierarchy is the caller's business); `create` per RFC 5490 :create. */
  | {
      readonly type: "fileinto";
      readonly mailbox: string;
      readonly flags: readonly string[];
      readonly isCopy: boolean;
      readonly create: boolean;
    }
  /** Resend to `address` (RFC 5228 §4.2), keeping the message too when `isCopy` (RFC 3894). */
  | { readonly type: "redirect"; readonly address: string; readonly isCopy: boolean }
  /** Refuse with an MDN (RFC 5429 §2.2) or, for ereject, at the protocol level when possible (§2.1). */
  | { readonly type: "reject" | "ereject"; readonly reason: string }
  /** Drop the message silently (RFC 5228 §4.4); listed for logging, nothing to do. */
  | { readonly type: "discard" }
  | SieveVacation;

/**
 * RFC 5230 vacation: send `reason` to `to` unless a reply with the same `handle` went to that sender within
 * `periodSeconds` (the caller's store keeps that record, §4.2 / §6). The interpreter has already applied the
 * rules of §4.5–§5 (no reply to bounces, lists, auto-submitted mail, or mail not addressed to the user).
 */
export interface SieveVacation {
  readonly type: "vacation";
  /** Who receives the reply: the envelope sender. */
  readonly to: string;
  /** :from, or null for the caller's choice (the envelope recipient). */
  readonly from: string | null;
  /** :subject, or "Auto: " and the original subject (§4.3). */
  readonly subject: string;
  readonly reason: string;
  /** `reason` is a MIME entity (headers + body) rather than plain text (:mime, §4.4). */
  readonly isMime: boolean;
  /** :handle, or one derived from subject, from, reason and mime (§4.2). */
  readonly handle: string;
  readonly periodSeconds: number;
  /** Message-ID of the original, for In-Reply-To/References (§5.8); null when it has none. */
  readonly inReplyTo: string | null;
  /** The user's addresses the reply may be from (:addresses plus the recipient). */
  readonly addresses: readonly string[];
}

export type SieveOutcome =
  | { readonly ok: true; readonly actions: readonly SieveAction[] }
  /**
   * A runtime error (RFC 5228 §2.10.6), a callback that threw, or a bug ("internal error: …"): no action of the
   * run is taken; the caller keeps the message in INBOX and logs `error`.
   */
  | { readonly ok: false; readonly error: SieveError };
