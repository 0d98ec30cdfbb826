// Which peers may send a PROXY protocol header: the load balancers' networks as CIDR blocks
// ("10.0.0.0/8", "::1/128"); a bare address means that one host.
import { BlockList, isIPv4, isIPv6 } from "node:net";

/** Returns a predicate over normalised peer addresses; throws on a malformed block. */
export function parseTrustedNetworks(blocks: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const block of blocks) {
    const [network = "", prefixText] = block.split("/");
    const family = isIPv4(network) ? "ipv4" : isIPv6(network) ? "ipv6" : undefined;
    if (family === undefined) throw new Error(`"${block}" is not an IP address or CIDR block`);
    const maxPrefix = family === "ipv4" ? 32 : 128;
    const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix || prefixText === "") {
      throw new Error(`"${block}" has an invalid prefix length`);
    }
    list.addSubnet(network, prefix, family);
  }
  return (address) => {
    if (isIPv4(address)) return list.check(address, "ipv4");
    return isIPv6(address) && list.check(address, "ipv6");
  };
}
