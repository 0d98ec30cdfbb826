// SIGHUP asks a running server to re-read its TLS certificates without a restart (the convention of
// nginx, Postfix and Dovecot); reloads never overlap.

/** Calls `handler` on each SIGHUP (one at a time; a signal during a reload runs it once more after). */
export function onReloadSignal(handler: () => Promise<void>): () => void {
  let running: Promise<void> | undefined;
  let isAgain = false;
  const run = (): void => {
    if (running !== undefined) {
      isAgain = true;
      return;
    }
    running = handler()
      .catch(() => {})
      .finally(() => {
        running = undefined;
        if (isAgain) {
          isAgain = false;
          run();
        }
      });
  };
  process.on("SIGHUP", run);
  return () => process.off("SIGHUP", run);
}
