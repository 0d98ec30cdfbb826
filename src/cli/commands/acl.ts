// `postfach acl get|set|del`: share an account's mailbox with other users (RFC 4314 rights), through
// admin/AclAdmin. Users then see it in IMAP as Shared/<owner>/<mailbox> (docs/imap.md "Shared mailboxes").
import { AclAdmin } from "../../admin/acl-admin.js";
import type { CliCommand, ParsedArgs } from "../command.js";
import { CliUsageError } from "../read-password.js";
import { withServices } from "../with-services.js";

function withAclAdmin<T>(args: ParsedArgs, fn: (admin: AclAdmin) => Promise<T>): Promise<T> {
  return withServices(args, (services) => fn(new AclAdmin(services.access)));
}

function positionals(args: ParsedArgs, names: readonly string[]): readonly string[] {
  const values = args.positionals;
  if (values.length !== names.length || values.some((v) => v === "")) {
    throw new CliUsageError(`Expected ${names.map((n) => `<${n}>`).join(" ")}`);
  }
  return values;
}

export const aclCommands: CliCommand[] = [
  {
    path: ["acl", "get"],
    usage: "postfach acl get <owner address> <mailbox> [--json]",
    summary: "Show who may do what on a mailbox (RFC 4314 ACL)",
    options: { json: { type: "boolean" } },
    optionHelp: ["--json   print JSON"],
    run: (args) =>
      withAclAdmin(args, async (admin) => {
        const [owner, mailbox] = positionals(args, ["owner address", "mailbox"]) as [string, string];
        const acl = await admin.get(owner, mailbox);
        if (args.values.json) console.log(JSON.stringify(acl, null, 2));
        else
          for (const line of acl)
            console.log(`${line.identifier}\t${line.rights}${line.isOwner ? "\t(owner)" : ""}`);
        return 0;
      }),
  },
  {
    path: ["acl", "set"],
    usage: "postfach acl set <owner address> <mailbox> <user address|anyone> <rights>",
    summary: "Grant rights on a mailbox: lrswipkxtea replaces, +rights adds, -rights removes (after --)",
    options: {},
    optionHelp: [
      "rights: l list, r read, s keep \\Seen, w other flags, i insert, p post, k create below,",
      "        x delete mailbox, t \\Deleted, e expunge, a administer; c = kx, d = te",
      "example: postfach acl set sales@example.org INBOX alice@example.org lrswite",
      "         postfach acl set sales@example.org INBOX -- alice@example.org -w",
    ],
    run: (args) =>
      withAclAdmin(args, async (admin) => {
        const [owner, mailbox, identifier, rights] = positionals(args, [
          "owner address",
          "mailbox",
          "user address|anyone",
          "rights",
        ]) as [string, string, string, string];
        const result = await admin.set(owner, mailbox, identifier, rights);
        console.log(
          `${identifier.toLowerCase()} on ${mailbox} of ${owner.toLowerCase()}: ${result || "no rights"}`,
        );
        return 0;
      }),
  },
  {
    path: ["acl", "del"],
    usage: "postfach acl del <owner address> <mailbox> <user address|anyone>",
    summary: "Take every right on a mailbox away from a user",
    options: {},
    optionHelp: [],
    run: (args) =>
      withAclAdmin(args, async (admin) => {
        const [owner, mailbox, identifier] = positionals(args, [
          "owner address",
          "mailbox",
          "user address|anyone",
        ]) as [string, string, string];
        await admin.delete(owner, mailbox, identifier);
        console.log(
          `${identifier.toLowerCase()} has no rights on ${mailbox} of ${owner.toLowerCase()} any more`,
        );
        return 0;
      }),
  },
];
