// Core/echo (RFC 8620 §4): returns its arguments unchanged, for testing connectivity.
import type { Args } from "../args.js";

export async function coreEcho(_ctx: unknown, args: Args): Promise<Record<string, unknown>> {
  return { ...args };
}
