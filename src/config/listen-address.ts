// Validation of listen addresses as written in the config: "host:port" or "[v6-address]:port".
// (src/net parses the same syntax for binding; this copy only checks, since config may import only kit.)
import { isIPv6 } from "node:net";

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/** Returns why `text` is not a valid listen address, or undefined when it is. */
export function checkListenAddress(text: string): string | undefined {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):([0-9]+)$/.exec(text);
  if (match === null) {
    return text.split(":").length > 2
      ? `"${text}" is not host:port (write IPv6 addresses in brackets, e.g. "[::1]:143")`
      : `"${text}" is not host:port`;
  }
  const [, v6Host, plainHost, portText = ""] = match;
  if (v6Host !== undefined && !isIPv6(v6Host)) return `"${v6Host}" in "${text}" is not an IPv6 address`;
  if (plainHost !== undefined && !HOST_NAME.test(plainHost))
    return `"${plainHost}" in "${text}" is not a host`;
  const port = Number(portText);
  // Port 0 asks the system for a free port (tests, and running several instances side by side).
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return `port ${portText} in "${text}" is not 0-65535`;
  return undefined;
}
