// COMPRESS (RFC 4978): DEFLATE for the rest of the connection, in both directions, starting right after
// the tagged OK. A second COMPRESS gets NO [COMPRESSIONACTIVE]; an unknown algorithm is BAD.
import { bad, type CommandContext, type CommandOutcome, no } from "../session/command-context.js";
import type { CommandOf } from "../wire/command.js";

export async function compress(ctx: CommandContext, command: CommandOf<"compress">): Promise<CommandOutcome> {
  if (ctx.session.isCompressed) return no("DEFLATE is already active", { kind: "COMPRESSIONACTIVE" });
  if (command.mechanism !== "DEFLATE") return bad(`Unknown compression algorithm ${command.mechanism}`);
  return {
    status: "OK",
    text: "DEFLATE active",
    afterReply: async () => ctx.session.startCompression(ctx.services.compressLevel),
  };
}
