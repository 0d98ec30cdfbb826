// The Sieve scripts of an account as ManageSieve (RFC 5804) and the CLI see them: names checked
// (RFC 5804 §1.6), scripts compiled before they are stored (§2.6: a script with errors is refused with
// its line numbers), size and count limits, one active script. The only API protocols call for scripts.
import type { AccountId } from "../../kit/ids.js";
import { type CompiledSieve, compileSieve, type SieveError } from "../../sieve/sieve.js";
import type { SieveScriptRecord, SieveScriptRepository } from "../../store/mail-store.js";

export interface SieveScriptLimitsConfig {
  /** Largest script in UTF-8 octets (MAXSCRIPTSIZE). */
  readonly maxScriptBytes: number;
  readonly maxScripts: number;
  readonly maxTotalBytes: number;
}

/** Why a script was not stored, or that it was. */
export type ScriptWriteResult = { readonly kind: "stored" } | ScriptRefusal;

/** Why a script may not be stored. */
export type ScriptRefusal =
  | { readonly kind: "invalidName" }
  | { readonly kind: "invalidScript"; readonly errors: readonly SieveError[] }
  | { readonly kind: "tooBig"; readonly maxBytes: number }
  | { readonly kind: "tooManyScripts"; readonly max: number }
  | { readonly kind: "accountFull"; readonly maxBytes: number };

/** A script name may be stored: 1-128 characters of Net-Unicode without controls (RFC 5804 §1.6). */
export function isValidScriptName(name: string): boolean {
  if (name.length === 0 || [...name].length > 128) return false;
  // C0, DEL, C1, LINE SEPARATOR, PARAGRAPH SEPARATOR; and lone surrogates (not valid UTF-8).
  return !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(
    name,
  );
}

/** Compiles a script with the server's limits; the errors carry 1-based line and column. */
export function checkScript(
  content: string,
  maxScriptBytes: number,
): { ok: true; script: CompiledSieve } | { ok: false; errors: readonly SieveError[] } {
  return compileSieve(content, { maxSize: maxScriptBytes });
}

/** One line per error, "line L, column C: message", as ManageSieve and the CLI show them. */
export function formatScriptErrors(errors: readonly SieveError[]): string {
  return errors.map((e) => `line ${e.line}, column ${e.column}: ${e.message}`).join("\r\n");
}

export class SieveScriptService {
  constructor(
    private readonly scripts: SieveScriptRepository,
    readonly limits: SieveScriptLimitsConfig,
  ) {}

  list(accountId: AccountId): Promise<SieveScriptRecord[]> {
    return this.scripts.list(accountId);
  }

  get(accountId: AccountId, name: string): Promise<SieveScriptRecord | undefined> {
    return this.scripts.get(accountId, name);
  }

  /** Compiles and stores (creating or replacing) a script; an invalid script changes nothing. */
  async put(accountId: AccountId, name: string, content: string): Promise<ScriptWriteResult> {
    if (!isValidScriptName(name)) return { kind: "invalidName" };
    const size = Buffer.byteLength(content, "utf8");
    if (size > this.limits.maxScriptBytes) return { kind: "tooBig", maxBytes: this.limits.maxScriptBytes };
    const compiled = checkScript(content, this.limits.maxScriptBytes);
    if (!compiled.ok) return { kind: "invalidScript", errors: compiled.errors };
    const outcome = await this.scripts.put(accountId, name, content, this.limits);
    if (outcome === "tooManyScripts") return { kind: "tooManyScripts", max: this.limits.maxScripts };
    if (outcome === "accountFull") return { kind: "accountFull", maxBytes: this.limits.maxTotalBytes };
    return { kind: "stored" };
  }

  /**
   * RFC 5804 §2.5 HAVESPACE: whether a script of `sizeBytes` under `name` would fit now (a later PUTSCRIPT
   * checks again). Null when it would, else the refusal.
   */
  async haveSpace(accountId: AccountId, name: string, sizeBytes: number): Promise<ScriptRefusal | null> {
    if (!isValidScriptName(name)) return { kind: "invalidName" };
    if (sizeBytes > this.limits.maxScriptBytes)
      return { kind: "tooBig", maxBytes: this.limits.maxScriptBytes };
    const scripts = await this.scripts.list(accountId);
    const existing = scripts.find((s) => s.name === name);
    if (!existing && scripts.length >= this.limits.maxScripts) {
      return { kind: "tooManyScripts", max: this.limits.maxScripts };
    }
    const total = scripts.reduce((sum, s) => sum + s.sizeBytes, 0) - (existing?.sizeBytes ?? 0) + sizeBytes;
    if (total > this.limits.maxTotalBytes)
      return { kind: "accountFull", maxBytes: this.limits.maxTotalBytes };
    return null;
  }

  /** Activates `name`, or deactivates every script with null; false when there is no such script. */
  setActive(accountId: AccountId, name: string | null): Promise<boolean> {
    return this.scripts.setActive(accountId, name);
  }

  rename(
    accountId: AccountId,
    from: string,
    to: string,
  ): Promise<"renamed" | "nonexistent" | "alreadyExists" | "invalidName"> {
    if (!isValidScriptName(to)) return Promise.resolve("invalidName");
    return this.scripts.rename(accountId, from, to);
  }

  delete(accountId: AccountId, name: string): Promise<"deleted" | "nonexistent" | "active"> {
    return this.scripts.delete(accountId, name);
  }
}
