// Reads a request body into memory up to a byte limit: a larger declared or actual body is refused
// without reading the rest, so no client can make the server buffer more than the limit.
import type { IncomingMessage } from "node:http";

export type BodyResult = { readonly kind: "body"; readonly bytes: Buffer } | { readonly kind: "tooLarge" };

export async function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return { kind: "tooLarge" };
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) return { kind: "tooLarge" };
    chunks.push(chunk);
  }
  return { kind: "body", bytes: Buffer.concat(chunks, total) };
}
