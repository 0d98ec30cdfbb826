// UIDONLY (RFC 9586 §3): once enabled, a command that names messages by number (or `*` as one) is a
// tagged BAD [UIDREQUIRED]. Sequence numbers hide in the UID-less forms of the message commands, in the
// sequence-set search key (also inside UID SEARCH) and in QRESYNC's sequence match of SELECT.
import type { ImapCommand } from "../wire/command.js";
import type { SearchKey } from "../wire/search-key.js";

function hasSequenceKey(keys: readonly SearchKey[]): boolean {
  return keys.some((key) => {
    switch (key.kind) {
      case "sequenceSet":
        // `$` is the saved result (RFC 5182): UIDs, allowed.
        return key.set.kind !== "saved";
      case "not":
        return hasSequenceKey([key.key]);
      case "or":
        return hasSequenceKey([key.left, key.right]);
      case "and":
        return hasSequenceKey(key.keys);
      default:
        return false;
    }
  });
}

/** Whether the command uses message sequence numbers (which UIDONLY forbids). */
export function usesMessageNumbers(command: ImapCommand): boolean {
  switch (command.name) {
    case "fetch":
    case "store":
    case "copy":
    case "move":
    case "replace":
      return !command.uid;
    case "search":
    case "sort":
    case "thread":
      return !command.uid || hasSequenceKey(command.criteria);
    case "select":
    case "examine":
      return (command.qresync?.sequenceMatch ?? null) !== null;
    default:
      return false;
  }
}
