// `postfach mailbox list|create`: an account's mailboxes through mail/MailboxService.

import type { AccountId } from "../../kit/ids.js";
import type { Services } from "../../services.js";
import { SPECIAL_USES, type SpecialUse } from "../../store/mail-store.js";
import type { CliCommand, ParsedArgs } from "../command.js";
import { CliUsageError } from "../read-password.js";
import { formatBytes } from "../sizes.js";
import { withServices } from "../with-services.js";

function withAccount<T>(
  args: ParsedArgs,
  fn: (services: Services, accountId: AccountId) => Promise<T>,
): Promise<T> {
  const address = args.positionals[0];
  if (!address) throw new CliUsageError("Expected an account address");
  return withServices(args, async (services) => fn(services, (await services.users.require(address)).id));
}

function parseSpecialUse(value: string | boolean | undefined): SpecialUse | null {
  if (typeof value !== "string") return null;
  const normalized = value.startsWith("\\") ? value : `\\${value}`;
  const match = SPECIAL_USES.find((use) => use.toLowerCase() === normalized.toLowerCase());
  if (!match) throw new CliUsageError(`Unknown special use ${value}; one of ${SPECIAL_USES.join(" ")}`);
  return match;
}

export const mailboxCommands: CliCommand[] = [
  {
    path: ["mailbox", "list"],
    usage: "postfach mailbox list <address> [--json]",
    summary: "List an account's mailboxes with message counts",
    options: { json: { type: "boolean" } },
    optionHelp: ["--json   print JSON"],
    run: (args) =>
      withAccount(args, async ({ mailboxes }, accountId) => {
        const list = await mailboxes.list(accountId);
        if (args.values.json) {
          console.log(
            JSON.stringify(
              list.map((m) => ({
                id: m.id,
                name: m.name,
                specialUse: m.specialUse,
                subscribed: m.subscribed,
                messages: m.messageCount,
                unseen: m.unseenCount,
                bytes: m.totalBytes,
                uidValidity: m.uidValidity,
                uidNext: m.uidNext,
                highestModSeq: m.highestModSeq,
              })),
              null,
              2,
            ),
          );
        } else {
          for (const m of list) {
            const role = m.specialUse ? ` ${m.specialUse}` : "";
            console.log(
              `${m.name}${role}\t${m.messageCount} messages (${m.unseenCount} unseen)\t${formatBytes(m.totalBytes)}`,
            );
          }
        }
        return 0;
      }),
  },
  {
    path: ["mailbox", "create"],
    usage: "postfach mailbox create <address> <name> [--special-use ROLE]",
    summary: "Create a mailbox (and missing parents); names use / as the hierarchy delimiter",
    options: { "special-use": { type: "string" } },
    optionHelp: [`--special-use ROLE   one of ${SPECIAL_USES.join(" ")} (RFC 6154)`],
    run: (args) =>
      withAccount(args, async ({ mailboxes }, accountId) => {
        const name = args.positionals[1];
        if (!name || args.positionals.length > 2) throw new CliUsageError("Expected <address> <name>");
        const mailbox = await mailboxes.create(accountId, name, parseSpecialUse(args.values["special-use"]));
        console.log(`Created ${mailbox.name}`);
        return 0;
      }),
  },
];
