// A loopback DNS server for tests (RFC 1035 §4): answers A, AAAA, MX, TXT and PTR queries from a map
// over UDP and TCP on one 127.0.0.1 port, so the configurable resolver ([dns] servers) never asks the
// real DNS. Names in the map and absent from it give NXDOMAIN; a known name without that type, NOERROR
// with no answers (node: ENODATA). Answers too big for the query's UDP size set TC, and the client
// retries over TCP, as a real server would (2048-bit DKIM keys make TXT answers over 512 bytes).
import { createSocket, type Socket } from "node:dgram";
import { createServer, type Server } from "node:net";
import { ipv6Groups } from "../../src/net/dns-resolver.js";

export { reverseName } from "../../src/net/dns-resolver.js";

export interface DnsRecords {
  A?: string[];
  AAAA?: string[];
  MX?: { exchange: string; priority: number }[];
  /** Each record is its character-strings; a string is split into 255-byte chunks. */
  TXT?: (string | string[])[];
  PTR?: string[];
  /** Answer SERVFAIL for this name, whatever the type (a broken zone). */
  servfail?: boolean;
}

export interface TestDnsServer {
  /** "127.0.0.1:port" for [dns] servers. */
  readonly address: string;
  readonly port: number;
  /** Lower-case names without the trailing dot → records; change it while the server runs. */
  readonly zone: Map<string, DnsRecords>;
  /** Queries answered so far, "name TYPE" (to prove a lookup happened). */
  readonly queries: string[];
  set(name: string, records: DnsRecords): void;
  close(): Promise<void>;
}

const TYPE_CODES = { A: 1, PTR: 12, MX: 15, TXT: 16, AAAA: 28 } as const;
type RecordType = keyof typeof TYPE_CODES;
const TYPE_NAMES = new Map<number, RecordType>(
  Object.entries(TYPE_CODES).map(([name, code]) => [code, name as RecordType]),
);
const OPT_TYPE = 41;

export async function startDnsServer(initial: Record<string, DnsRecords> = {}): Promise<TestDnsServer> {
  const zone = new Map<string, DnsRecords>();
  for (const [name, records] of Object.entries(initial)) zone.set(normalise(name), records);
  const queries: string[] = [];
  const answer = (query: Buffer, maxBytes: number): Buffer | undefined => {
    const parsed = parseQuery(query);
    if (parsed === undefined) return undefined;
    queries.push(`${parsed.name} ${TYPE_NAMES.get(parsed.type) ?? parsed.type}`);
    return buildResponse(parsed, zone, maxBytes);
  };

  const tcp: Server = createServer((socket) => {
    socket.unref();
    let pending = Buffer.alloc(0);
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        const response = answer(pending.subarray(2, 2 + length), 65_535);
        pending = pending.subarray(2 + length);
        if (response === undefined) {
          socket.destroy();
          return;
        }
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(response.length);
        socket.write(Buffer.concat([prefix, response]));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (tcp.address() as { port: number }).port;

  const udp: Socket = createSocket("udp4");
  udp.on("message", (message, peer) => {
    const response = answer(message, udpLimit(message));
    if (response !== undefined) udp.send(response, peer.port, peer.address);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(port, "127.0.0.1", () => resolve());
    });
  } catch (error) {
    tcp.close();
    throw error;
  }

  // A test that stops its server some other way than close() must not be kept alive by the DNS server.
  tcp.unref();
  udp.unref();
  return {
    address: `127.0.0.1:${port}`,
    port,
    zone,
    queries,
    set: (name, records) => void zone.set(normalise(name), records),
    close: async () => {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

const normalise = (name: string): string => name.toLowerCase().replace(/\.$/, "");

interface ParsedQuery {
  readonly id: number;
  readonly flags: number;
  readonly name: string;
  readonly type: number;
  /** The question section's bytes, echoed in the answer. */
  readonly question: Buffer;
}

function parseQuery(message: Buffer): ParsedQuery | undefined {
  if (message.length < 12 || message.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let offset = 12;
  for (;;) {
    const length = message[offset];
    if (length === undefined || length > 63) return undefined;
    offset += 1;
    if (length === 0) break;
    labels.push(message.subarray(offset, offset + length).toString("latin1"));
    offset += length;
  }
  if (offset + 4 > message.length) return undefined;
  const type = message.readUInt16BE(offset);
  return {
    id: message.readUInt16BE(0),
    flags: message.readUInt16BE(2),
    name: normalise(labels.join(".")),
    type,
    question: message.subarray(12, offset + 4),
  };
}

/** The UDP payload the client accepts: its EDNS0 OPT size (RFC 6891), else 512 (RFC 1035 §4.2.1). */
function udpLimit(message: Buffer): number {
  const additional = message.length >= 12 ? message.readUInt16BE(10) : 0;
  if (additional === 0) return 512;
  // An OPT record after the question: root name (0), TYPE 41, CLASS = the UDP size.
  const parsed = parseQuery(message);
  if (parsed === undefined) return 512;
  const at = 12 + parsed.question.length;
  if (message[at] === 0 && message.length >= at + 5 && message.readUInt16BE(at + 1) === OPT_TYPE) {
    return Math.max(512, message.readUInt16BE(at + 3));
  }
  return 512;
}

function buildResponse(query: ParsedQuery, zone: Map<string, DnsRecords>, maxBytes: number): Buffer {
  const records = zone.get(query.name);
  const typeName = TYPE_NAMES.get(query.type);
  // NXDOMAIN = 3, SERVFAIL = 2, NOERROR = 0.
  let rcode = records === undefined ? 3 : 0;
  if (records?.servfail === true) rcode = 2;
  const answers =
    rcode === 0 && typeName !== undefined ? encodeAnswers(typeName, query.type, records ?? {}) : [];
  const header = (count: number, truncated: boolean): Buffer => {
    const bytes = Buffer.alloc(12);
    bytes.writeUInt16BE(query.id, 0);
    // QR=1, opcode copied, AA=1, TC, RD copied, RA=1, rcode.
    const flags =
      0x8000 | (query.flags & 0x7800) | 0x0400 | (truncated ? 0x0200 : 0) | (query.flags & 0x0100) | 0x0080;
    bytes.writeUInt16BE(flags | rcode, 2);
    bytes.writeUInt16BE(1, 4);
    bytes.writeUInt16BE(count, 6);
    return bytes;
  };
  const full = Buffer.concat([header(answers.length, false), query.question, ...answers]);
  if (full.length <= maxBytes) return full;
  return Buffer.concat([header(0, true), query.question]);
}

function encodeAnswers(typeName: RecordType, type: number, records: DnsRecords): Buffer[] {
  const rdatas: Buffer[] = [];
  switch (typeName) {
    case "A":
      for (const address of records.A ?? []) rdatas.push(Buffer.from(address.split(".").map(Number)));
      break;
    case "AAAA":
      for (const address of records.AAAA ?? []) rdatas.push(encodeIpv6(address));
      break;
    case "MX":
      for (const mx of records.MX ?? []) {
        const preference = Buffer.alloc(2);
        preference.writeUInt16BE(mx.priority);
        rdatas.push(Buffer.concat([preference, encodeName(mx.exchange)]));
      }
      break;
    case "TXT":
      for (const record of records.TXT ?? []) rdatas.push(encodeTxt(record));
      break;
    case "PTR":
      for (const name of records.PTR ?? []) rdatas.push(encodeName(name));
      break;
  }
  return rdatas.map((rdata) => {
    const fixed = Buffer.alloc(12);
    // NAME: a pointer to the question's name at offset 12 (RFC 1035 §4.1.4).
    fixed.writeUInt16BE(0xc00c, 0);
    fixed.writeUInt16BE(type, 2);
    fixed.writeUInt16BE(1, 4);
    fixed.writeUInt32BE(60, 6);
    fixed.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([fixed, rdata]);
  });
}

function encodeName(name: string): Buffer {
  const labels = normalise(name)
    .split(".")
    .filter((label) => label !== "");
  return Buffer.concat([
    ...labels.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, "latin1")])),
    Buffer.from([0]),
  ]);
}

function encodeTxt(record: string | string[]): Buffer {
  const strings =
    typeof record === "string" ? chunk(Buffer.from(record, "utf8")) : record.map((s) => Buffer.from(s));
  return Buffer.concat(strings.flatMap((bytes) => [Buffer.from([bytes.length]), bytes]));
}

function chunk(bytes: Buffer): Buffer[] {
  if (bytes.length === 0) return [bytes];
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 255) parts.push(bytes.subarray(at, at + 255));
  return parts;
}

function encodeIpv6(address: string): Buffer {
  const bytes = Buffer.alloc(16);
  for (const [index, group] of ipv6Groups(address).entries()) {
    bytes.writeUInt16BE(Number.parseInt(group, 16), index * 2);
  }
  return bytes;
}
