// `postfach domain dkim generate|show|list|delete`: a domain's DKIM signing key and the TXT record to
// publish for it, through admin/DkimAdmin (docs/dkim-and-auth.md).
import { DkimAdmin, dkimDnsRecord } from "../../admin/dkim-admin.js";
import type { DkimKeyRecord } from "../../store/mail-store.js";
import type { CliCommand, ParsedArgs } from "../command.js";
import { CliUsageError } from "../read-password.js";
import { withServices } from "../with-services.js";
import { domainArg } from "./domain.js";

function withDkimAdmin<T>(args: ParsedArgs, fn: (admin: DkimAdmin) => Promise<T>): Promise<T> {
  return withServices(args, (services) => fn(new DkimAdmin(services.store)));
}

/** What show and --json print: the key's public facts and its record, never the private key. */
function describeKey(key: DkimKeyRecord) {
  const record = dkimDnsRecord(key);
  return {
    domain: key.domain,
    selector: key.selector,
    algorithm: key.algorithm,
    createdAt: new Date(key.createdAtMs).toISOString(),
    dnsName: record.name,
    dnsValue: record.value,
    zoneLine: record.zoneLine,
  };
}

function printKey(key: DkimKeyRecord, json: boolean): void {
  const facts = describeKey(key);
  if (json) {
    console.log(JSON.stringify(facts, null, 2));
    return;
  }
  console.log(`${facts.domain}: selector ${facts.selector}, ${facts.algorithm}, made ${facts.createdAt}`);
  console.log("Publish this TXT record:");
  console.log(`  name:  ${facts.dnsName}`);
  console.log(`  value: ${facts.dnsValue}`);
  console.log("Zone file:");
  console.log(facts.zoneLine);
}

const ALGORITHMS = { rsa: "rsa-sha256", ed25519: "ed25519-sha256" } as const;

export const dkimCommands: CliCommand[] = [
  {
    path: ["domain", "dkim", "generate"],
    usage:
      "postfach domain dkim generate <domain> [--selector s] [--algorithm rsa|ed25519] [--replace] [--json]",
    summary: "Make the domain's DKIM signing key and print the DNS TXT record to publish",
    options: {
      selector: { type: "string" },
      algorithm: { type: "string" },
      replace: { type: "boolean" },
      json: { type: "boolean" },
    },
    optionHelp: [
      '--selector <s>          the key\'s selector (s=), published at <s>._domainkey.<domain>; default "postfach"',
      "--algorithm rsa|ed25519  RSA 2048 (default) or Ed25519 (RFC 8463; not every receiver checks it)",
      "--replace               replace the domain's key (rotation: use a new selector, publish, then replace)",
      "--json                  print JSON",
    ],
    run: (args) =>
      withDkimAdmin(args, async (admin) => {
        const algorithmName = args.values.algorithm ?? "rsa";
        if (algorithmName !== "rsa" && algorithmName !== "ed25519") {
          throw new CliUsageError('--algorithm must be "rsa" or "ed25519"');
        }
        const selector = args.values.selector;
        const key = await admin.generate(domainArg(args), {
          algorithm: ALGORITHMS[algorithmName],
          replace: args.values.replace === true,
          ...(typeof selector === "string" && { selector }),
        });
        printKey(key, args.values.json === true);
        return 0;
      }),
  },
  {
    path: ["domain", "dkim", "show"],
    usage: "postfach domain dkim show <domain> [--json]",
    summary: "Show the domain's DKIM selector and the DNS TXT record to publish",
    options: { json: { type: "boolean" } },
    optionHelp: ["--json   print JSON"],
    run: (args) =>
      withDkimAdmin(args, async (admin) => {
        printKey(await admin.show(domainArg(args)), args.values.json === true);
        return 0;
      }),
  },
  {
    path: ["domain", "dkim", "list"],
    usage: "postfach domain dkim list [--json]",
    summary: "List the domains that sign outbound mail, with their selectors",
    options: { json: { type: "boolean" } },
    optionHelp: ["--json   print JSON"],
    run: (args) =>
      withDkimAdmin(args, async (admin) => {
        const keys = await admin.list();
        if (args.values.json) console.log(JSON.stringify(keys.map(describeKey), null, 2));
        else {
          for (const key of keys) console.log(`${key.domain}\t${key.selector}\t${key.algorithm}`);
          if (keys.length === 0)
            console.log("No DKIM keys yet. Make one with: postfach domain dkim generate <domain>");
        }
        return 0;
      }),
  },
  {
    path: ["domain", "dkim", "delete"],
    usage: "postfach domain dkim delete <domain>",
    summary: "Forget the domain's DKIM key: its outbound mail goes out unsigned",
    options: {},
    optionHelp: [],
    run: (args) =>
      withDkimAdmin(args, async (admin) => {
        const name = domainArg(args);
        await admin.delete(name);
        console.log(`Deleted the DKIM key of ${name.toLowerCase()}; remove its TXT record from DNS too`);
        return 0;
      }),
  },
];
