// Why a connection ended: the reason carried by Connection.signal and thrown by writes on a closed socket.

/** `slowReader`: the client stopped reading its responses (unsent output or a stalled write over the limit). */
export type CloseReason = "closed" | "idle" | "shutdown" | "slowReader" | "kicked";

/** `signal.reason` of every Connection; also thrown by `write` once the socket can no longer be written. */
export class ConnectionClosedError extends Error {
  override readonly name = "ConnectionClosedError";
  constructor(readonly reason: CloseReason) {
    super(
      reason === "idle"
        ? "connection idle timeout"
        : reason === "shutdown"
          ? "server shutting down"
          : reason === "slowReader"
            ? "client not reading its responses"
            : "connection closed",
    );
  }
}

export const isConnectionClosedError = (error: unknown): error is ConnectionClosedError =>
  error instanceof ConnectionClosedError;
