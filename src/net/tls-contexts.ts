// The server's current TLS contexts: a default certificate plus one per server name chosen by SNI
// (RFC 6066 §3). Replaced as a whole on reload: new handshakes get the new set, running sessions keep theirs.
import { readFile } from "node:fs/promises";
import type { SecureContext } from "node:tls";
import { createTlsContext, type TlsMaterial } from "./tls.js";

/** One SNI certificate: `name` is a host name or a "*.example.org" wildcard (one label). */
export interface SniEntry {
  readonly name: string;
  readonly cert: string;
  readonly key: string;
}

export interface TlsContexts {
  readonly defaultContext: SecureContext;
  /** Lower-case names ("mail.example.org", "*.example.org") → context. */
  readonly byName: ReadonlyMap<string, SecureContext>;
}

/**
 * The mutable holder listeners and connections read at every handshake. Contract: `current` and
 * `forServerName` always return a usable context; `replace` never affects handshakes already done.
 */
export class TlsContextSet {
  #contexts: TlsContexts;

  constructor(contexts: TlsContexts) {
    this.#contexts = contexts;
  }

  /** Wraps one context (no SNI names). */
  static of(context: SecureContext): TlsContextSet {
    return new TlsContextSet({ defaultContext: context, byName: new Map() });
  }

  /** The default context: clients without SNI or with an unknown name get it. */
  get current(): SecureContext {
    return this.#contexts.defaultContext;
  }

  /** Exact name first, then a one-label wildcard, then the default. */
  forServerName(serverName: string): SecureContext {
    const name = serverName.toLowerCase().replace(/\.$/, "");
    const { byName, defaultContext } = this.#contexts;
    const exact = byName.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf(".");
    const wildcard = dot > 0 ? byName.get(`*${name.slice(dot)}`) : undefined;
    return wildcard ?? defaultContext;
  }

  replace(contexts: TlsContexts): void {
    this.#contexts = contexts;
  }
}

/** Reads every SNI certificate and key and builds the full set; throws naming the file that failed. */
export async function buildTlsContexts(
  defaultMaterial: TlsMaterial,
  sni: readonly SniEntry[],
  minVersion: "TLSv1.2" | "TLSv1.3",
): Promise<TlsContexts> {
  const byName = new Map<string, SecureContext>();
  for (const entry of sni) {
    const material = { cert: await readPem(entry.cert), key: await readPem(entry.key) };
    byName.set(entry.name.toLowerCase(), createTlsContextFor(entry.name, material, minVersion));
  }
  return { defaultContext: createTlsContext(defaultMaterial, minVersion), byName };
}

function createTlsContextFor(
  name: string,
  material: TlsMaterial,
  minVersion: "TLSv1.2" | "TLSv1.3",
): SecureContext {
  try {
    return createTlsContext(material, minVersion);
  } catch (error) {
    throw new Error(`TLS certificate for ${name}: ${(error as Error).message}`, { cause: error });
  }
}

async function readPem(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}
