// TLS channel bindings for SCRAM-*-PLUS (RFC 5056): tls-exporter (RFC 9266) on TLS 1.3, where tls-unique
// is undefined, and tls-unique (RFC 5929 §3.1) on TLS 1.2: the first Finished message of the handshake.
export type ChannelBindingType = "tls-exporter" | "tls-unique";
export type ChannelBindings = ReadonlyMap<ChannelBindingType, Buffer>;

export const NO_CHANNEL_BINDINGS: ChannelBindings = new Map();

/** The subset of node:tls TLSSocket the bindings come from (a structural type keeps auth/ socket-free). */
export interface TlsBindingSource {
  getProtocol(): string | null;
  isSessionReused(): boolean;
  getFinished(): Buffer | undefined;
  getPeerFinished(): Buffer | undefined;
  exportKeyingMaterial(length: number, label: string, context?: Buffer): Buffer;
}

function isTlsBindingSource(socket: unknown): socket is TlsBindingSource {
  const candidate = socket as Partial<TlsBindingSource> | null;
  return typeof candidate?.exportKeyingMaterial === "function" && typeof candidate.getProtocol === "function";
}

/** The bindings a server-side socket offers; none for a plain socket or an unfinished handshake. */
export function channelBindingsOf(socket: unknown): ChannelBindings {
  if (!isTlsBindingSource(socket)) return NO_CHANNEL_BINDINGS;
  const protocol = socket.getProtocol();
  const bindings = new Map<ChannelBindingType, Buffer>();
  try {
    if (protocol === "TLSv1.3") {
      bindings.set("tls-exporter", socket.exportKeyingMaterial(32, "EXPORTER-Channel-Binding"));
    } else if (protocol === "TLSv1.2") {
      // The server sends the first Finished only on a resumed session; otherwise the client does.
      const first = socket.isSessionReused() ? socket.getFinished() : socket.getPeerFinished();
      if (first) bindings.set("tls-unique", first);
    }
  } catch {
    return NO_CHANNEL_BINDINGS;
  }
  return bindings;
}
