// Graceful stop on SIGTERM and SIGINT: the first signal runs the handler, a second one forces exit.

export interface ShutdownSignalOptions {
  /** Called on the second signal; defaults to process.exit. Tests replace it. */
  readonly forceExit?: (code: number) => void;
}

/**
 * Calls `handler` once on the first SIGTERM or SIGINT; a second signal while it runs calls
 * `forceExit(130)`. The handler decides the exit itself. Returns a function that removes the listeners.
 */
export function onShutdownSignals(
  handler: (signal: NodeJS.Signals) => Promise<void> | void,
  options: ShutdownSignalOptions = {},
): () => void {
  const forceExit = options.forceExit ?? ((code: number) => process.exit(code));
  let isStopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (isStopping) {
      forceExit(130);
      return;
    }
    isStopping = true;
    void Promise.resolve()
      .then(() => handler(signal))
      .catch(() => forceExit(1));
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  };
}
