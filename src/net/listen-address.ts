// Parses a listen address "host:port" or "[v6-address]:port" into what net.Server.listen needs.
// Port 0 is allowed here (tests bind an ephemeral port); the config layer insists on 1-65535.
import { isIPv6 } from "node:net";

export interface ListenAddress {
  /** Without brackets: "127.0.0.1", "::1", "localhost". */
  readonly host: string;
  readonly port: number;
}

/** Parses `text`; throws an Error naming the text when it is not a valid address. */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([A-Za-z0-9.-]+)):([0-9]{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (
    host === undefined ||
    !Number.isInteger(port) ||
    port > 65535 ||
    (match?.[1] !== undefined && !isIPv6(host))
  ) {
    throw new Error(`invalid listen address "${text}" (expected host:port or [ipv6]:port)`);
  }
  return { host, port };
}

/** The inverse of parseListenAddress: brackets an IPv6 host. */
export function formatListenAddress(address: ListenAddress): string {
  return isIPv6(address.host) ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
