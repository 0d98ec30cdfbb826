// The signature of every Sieve command and test we support: which extension it needs, its tagged arguments
// (with their value type and mutually exclusive group) and positional arguments. RFC 5228 §4–§5 and the
// extension RFCs listed in SUPPORTED_SIEVE_EXTENSIONS. The validator checks scripts against this table.

export type ValueKind = "number" | "string" | "stringList";

export interface TagSpec {
  /** The value the tag takes (`:comparator "i;octet"`), if any. */
  readonly value?: ValueKind;
  /** Tags of one group exclude each other (`:is` and `:contains`). */
  readonly group?: string;
  /** The capability that must be required to use this tag. */
  readonly ext?: string;
}

export interface CommandSpec {
  readonly ext?: string;
  readonly tags: Readonly<Record<string, TagSpec>>;
  readonly positional: readonly ValueKind[];
  /** How many of the leading positional arguments may be left out (imap4flags' optional variable name). */
  readonly optionalLeading?: number;
  /** Test arguments: none; exactly one (if, not); a parenthesized list (allof, anyof). */
  readonly tests: "none" | "one" | "list";
  /** Commands only: whether a `{}` block follows. */
  readonly block?: boolean;
}

/** Every supported capability, in the order the ManageSieve SIEVE capability lists them. */
export const SUPPORTED_SIEVE_EXTENSIONS: readonly string[] = [
  "fileinto",
  "reject",
  "ereject",
  "envelope",
  "encoded-character",
  "imap4flags",
  "copy",
  "body",
  "variables",
  "vacation",
  "vacation-seconds",
  "relational",
  "comparator-i;ascii-numeric",
  "comparator-i;ascii-casemap",
  "comparator-i;octet",
  "subaddress",
  "date",
  "index",
  "mailbox",
  "include",
  "spamtest",
  "spamtestplus",
  "virustest",
];

const COMPARATOR: Record<string, TagSpec> = { comparator: { value: "string" } };
const MATCH_TYPE: Record<string, TagSpec> = {
  is: { group: "match" },
  contains: { group: "match" },
  matches: { group: "match" },
  count: { group: "match", value: "string", ext: "relational" },
  value: { group: "match", value: "string", ext: "relational" },
};
const ADDRESS_PART: Record<string, TagSpec> = {
  all: { group: "addresspart" },
  localpart: { group: "addresspart" },
  domain: { group: "addresspart" },
  user: { group: "addresspart", ext: "subaddress" },
  detail: { group: "addresspart", ext: "subaddress" },
};
const INDEX: Record<string, TagSpec> = {
  index: { value: "number", ext: "index" },
  last: { ext: "index" },
};
const FLAGS: Record<string, TagSpec> = { flags: { value: "stringList", ext: "imap4flags" } };
const COPY: Record<string, TagSpec> = { copy: { ext: "copy" } };
const FLAG_COMMAND: CommandSpec = {
  ext: "imap4flags",
  tags: {},
  positional: ["string", "stringList"],
  optionalLeading: 1,
  tests: "none",
};

export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  require: { tags: {}, positional: ["stringList"], tests: "none" },
  if: { tags: {}, positional: [], tests: "one", block: true },
  elsif: { tags: {}, positional: [], tests: "one", block: true },
  else: { tags: {}, positional: [], tests: "none", block: true },
  stop: { tags: {}, positional: [], tests: "none" },
  keep: { tags: { ...FLAGS }, positional: [], tests: "none" },
  discard: { tags: {}, positional: [], tests: "none" },
  redirect: { tags: { ...COPY }, positional: ["string"], tests: "none" },
  fileinto: {
    ext: "fileinto",
    tags: { ...COPY, ...FLAGS, create: { ext: "mailbox" } },
    positional: ["string"],
    tests: "none",
  },
  reject: { ext: "reject", tags: {}, positional: ["string"], tests: "none" },
  ereject: { ext: "ereject", tags: {}, positional: ["string"], tests: "none" },
  vacation: {
    ext: "vacation",
    tags: {
      days: { value: "number", group: "period" },
      seconds: { value: "number", group: "period", ext: "vacation-seconds" },
      subject: { value: "string" },
      from: { value: "string" },
      addresses: { value: "stringList" },
      mime: {},
      handle: { value: "string" },
    },
    positional: ["string"],
    tests: "none",
  },
  setflag: FLAG_COMMAND,
  addflag: FLAG_COMMAND,
  removeflag: FLAG_COMMAND,
  set: {
    ext: "variables",
    tags: {
      lower: { group: "case" },
      upper: { group: "case" },
      lowerfirst: { group: "firstcase" },
      upperfirst: { group: "firstcase" },
      quotewildcard: { group: "quote" },
      length: { group: "length" },
    },
    positional: ["string", "string"],
    tests: "none",
  },
  include: {
    ext: "include",
    tags: {
      personal: { group: "location" },
      global: { group: "location" },
      once: {},
      optional: {},
    },
    positional: ["string"],
    tests: "none",
  },
  return: { ext: "include", tags: {}, positional: [], tests: "none" },
  global: { ext: "include", tags: {}, positional: ["stringList"], tests: "none" },
};

export const TESTS: Readonly<Record<string, CommandSpec>> = {
  address: {
    tags: { ...COMPARATOR, ...ADDRESS_PART, ...MATCH_TYPE, ...INDEX },
    positional: ["stringList", "stringList"],
    tests: "none",
  },
  allof: { tags: {}, positional: [], tests: "list" },
  anyof: { tags: {}, positional: [], tests: "list" },
  not: { tags: {}, positional: [], tests: "one" },
  true: { tags: {}, positional: [], tests: "none" },
  false: { tags: {}, positional: [], tests: "none" },
  exists: { tags: {}, positional: ["stringList"], tests: "none" },
  header: {
    tags: { ...COMPARATOR, ...MATCH_TYPE, ...INDEX },
    positional: ["stringList", "stringList"],
    tests: "none",
  },
  size: {
    tags: { over: { group: "size", value: "number" }, under: { group: "size", value: "number" } },
    positional: [],
    tests: "none",
  },
  envelope: {
    ext: "envelope",
    tags: { ...COMPARATOR, ...ADDRESS_PART, ...MATCH_TYPE },
    positional: ["stringList", "stringList"],
    tests: "none",
  },
  body: {
    ext: "body",
    tags: {
      ...COMPARATOR,
      ...MATCH_TYPE,
      raw: { group: "transform" },
      content: { group: "transform", value: "stringList" },
      text: { group: "transform" },
    },
    positional: ["stringList"],
    tests: "none",
  },
  string: {
    ext: "variables",
    tags: { ...COMPARATOR, ...MATCH_TYPE },
    positional: ["stringList", "stringList"],
    tests: "none",
  },
  hasflag: {
    ext: "imap4flags",
    tags: { ...COMPARATOR, ...MATCH_TYPE },
    positional: ["stringList", "stringList"],
    optionalLeading: 1,
    tests: "none",
  },
  date: {
    ext: "date",
    tags: {
      ...COMPARATOR,
      ...MATCH_TYPE,
      ...INDEX,
      zone: { value: "string", group: "zone" },
      originalzone: { group: "zone" },
    },
    positional: ["string", "string", "stringList"],
    tests: "none",
  },
  currentdate: {
    ext: "date",
    tags: { ...COMPARATOR, ...MATCH_TYPE, zone: { value: "string" } },
    positional: ["string", "stringList"],
    tests: "none",
  },
  mailboxexists: { ext: "mailbox", tags: {}, positional: ["stringList"], tests: "none" },
  spamtest: {
    ext: "spamtest",
    tags: { ...COMPARATOR, ...MATCH_TYPE, percent: { ext: "spamtestplus" } },
    positional: ["string"],
    tests: "none",
  },
  virustest: {
    ext: "virustest",
    tags: { ...COMPARATOR, ...MATCH_TYPE },
    positional: ["string"],
    tests: "none",
  },
};
