// PROXY protocol header parser, versions 1 (text) and 2 (binary), per HAProxy's proxy-protocol.txt:
// pure and resumable; strict, so anything that is not exactly a valid header is rejected.
import { isIPv4, isIPv6 } from "node:net";

/** The real client behind the load balancer; null for LOCAL (v2) and UNKNOWN (v1) headers. */
export interface ProxiedSource {
  readonly address: string;
  readonly port: number;
}

export type ProxyParseResult =
  | { readonly kind: "incomplete" }
  | { readonly kind: "invalid"; readonly reason: string }
  | { readonly kind: "header"; readonly headerBytes: number; readonly source: ProxiedSource | null };

/** §2.1: a v1 line is at most 107 bytes including CRLF. */
export const MAX_V1_BYTES = 107;
/** v2 allows 64 KiB of TLVs; real load balancers send a few hundred bytes, so more is refused. */
export const MAX_V2_BYTES = 16 + 4096;

const V1_PREFIX = Buffer.from("PROXY ", "latin1");
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** Parses a header at the start of `bytes` (everything received so far). */
export function parseProxyHeader(bytes: Uint8Array): ProxyParseResult {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length === 0) return { kind: "incomplete" };
  if (startsLike(data, V1_PREFIX)) return data.length < V1_PREFIX.length ? incomplete : parseV1(data);
  if (startsLike(data, V2_SIGNATURE)) return data.length < 16 ? incomplete : parseV2(data);
  return invalid("not a PROXY protocol header");
}

const incomplete: ProxyParseResult = { kind: "incomplete" };
const invalid = (reason: string): ProxyParseResult => ({ kind: "invalid", reason });

/** True when `data` and `prefix` agree on their common length. */
function startsLike(data: Buffer, prefix: Buffer): boolean {
  const length = Math.min(data.length, prefix.length);
  return data.subarray(0, length).equals(prefix.subarray(0, length));
}

function parseV1(data: Buffer): ProxyParseResult {
  const end = data.indexOf("\r\n", 0, "latin1");
  if (end === -1) {
    if (data.length >= MAX_V1_BYTES) return invalid("v1 header longer than 107 bytes");
    return data.includes(0x0a) ? invalid("v1 header with a bare LF") : incomplete;
  }
  if (end + 2 > MAX_V1_BYTES) return invalid("v1 header longer than 107 bytes");
  const line = data.toString("latin1", 0, end);
  const headerBytes = end + 2;
  const parts = line.split(" ");
  if (parts[1] === "UNKNOWN") return { kind: "header", headerBytes, source: null };
  if (parts.length !== 6) return invalid("v1 header needs protocol, two addresses and two ports");
  const [, family, source, destination, sourcePort, destinationPort] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const isAddress = family === "TCP4" ? isIPv4 : family === "TCP6" ? isIPv6 : undefined;
  if (isAddress === undefined) return invalid(`v1 protocol ${JSON.stringify(family)} is not TCP4/TCP6`);
  if (!isAddress(source) || !isAddress(destination)) return invalid(`v1 addresses are not ${family}`);
  const port = parsePort(sourcePort);
  if (port === undefined || parsePort(destinationPort) === undefined) return invalid("v1 port out of range");
  return { kind: "header", headerBytes, source: { address: source, port } };
}

function parsePort(text: string): number | undefined {
  if (!/^(0|[1-9][0-9]{0,4})$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65_535 ? port : undefined;
}

function parseV2(data: Buffer): ProxyParseResult {
  const versionCommand = data[12] ?? 0;
  const familyProtocol = data[13] ?? 0;
  const length = data.readUInt16BE(14);
  if (versionCommand >> 4 !== 2) return invalid(`v2 version ${versionCommand >> 4} is not 2`);
  const command = versionCommand & 0x0f;
  if (command > 1) return invalid(`v2 command ${command} is neither LOCAL nor PROXY`);
  if (16 + length > MAX_V2_BYTES) return invalid(`v2 header of ${16 + length} bytes is too long`);
  if (data.length < 16 + length) return incomplete;
  const headerBytes = 16 + length;
  // LOCAL: a health check from the balancer itself; the connection's own address stands.
  if (command === 0) return { kind: "header", headerBytes, source: null };
  switch (familyProtocol) {
    case 0x00:
      return { kind: "header", headerBytes, source: null };
    case 0x11: {
      if (length < 12) return invalid("v2 TCP4 header shorter than its addresses");
      const address = [...data.subarray(16, 20)].join(".");
      return { kind: "header", headerBytes, source: { address, port: data.readUInt16BE(24) } };
    }
    case 0x21: {
      if (length < 36) return invalid("v2 TCP6 header shorter than its addresses");
      return {
        kind: "header",
        headerBytes,
        source: { address: formatIPv6(data.subarray(16, 32)), port: data.readUInt16BE(48) },
      };
    }
    default:
      return invalid(`v2 address family 0x${familyProtocol.toString(16)} is not TCP over IPv4/IPv6`);
  }
}

/** Sixteen bytes → the canonical short form ("2001:db8::1"), IPv4-mapped ones as dotted quads. */
function formatIPv6(bytes: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [...bytes.subarray(12, 16)].join(".");
  }
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(":");
  const head = hex.slice(0, bestStart).join(":");
  const tail = hex.slice(bestStart + bestLength).join(":");
  return `${head}::${tail}`;
}
