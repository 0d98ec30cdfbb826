// What `postfach sieve` needs beyond the mail layer's SieveScriptService: the account by address, and
// refusals as one message an operator can act on (compile errors with their line numbers).
import { MailError } from "../kit/mail-error.js";
import type { ScriptRefusal, ScriptWriteResult } from "../mail/sieve/sieve-scripts.js";
import { formatScriptErrors } from "../mail/sieve/sieve-scripts.js";

/** The text of a refusal, one line per script error. */
export function describeScriptRefusal(refusal: ScriptRefusal): string {
  switch (refusal.kind) {
    case "invalidName":
      return "Invalid script name (1-128 characters, no control characters)";
    case "invalidScript":
      return `The script has errors:\n${formatScriptErrors(refusal.errors).replace(/\r\n/g, "\n")}`;
    case "tooBig":
      return `The script is larger than ${refusal.maxBytes} bytes ([sieve] max_script_bytes)`;
    case "tooManyScripts":
      return `The account has ${refusal.max} scripts already ([sieve] max_scripts)`;
    case "accountFull":
      return `All scripts together may not pass ${refusal.maxBytes} bytes ([sieve] max_total_bytes)`;
  }
}

/** Throws the refusal as a MailError (the CLI prints it and exits 1); nothing when stored. */
export function requireStored(result: ScriptWriteResult): void {
  if (result.kind !== "stored") throw new MailError("invalidInput", describeScriptRefusal(result));
}
