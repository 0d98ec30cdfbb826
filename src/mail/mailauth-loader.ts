// mailauth (SPF, DKIM, DMARC) is loaded when first used: importing it takes about 0.6 s of CPU, which
// every process paid at start — each CLI command, each test file's server — though only SMTP's inbound
// checks and DKIM signing use it. A server run as its own process loads it in the background once it
// listens (main.ts runServer), so the first message does not wait for it.

let inbound: Promise<typeof import("mailauth")> | undefined;
let signing: Promise<typeof import("mailauth/lib/dkim/sign.js")> | undefined;

/** mailauth's SPF/DKIM/DMARC checks (`authenticate`). */
export function loadMailauth(): Promise<typeof import("mailauth")> {
  inbound ??= import("mailauth");
  return inbound;
}

/** mailauth's DKIM signer (`dkimSign`). */
export function loadDkimSign(): Promise<typeof import("mailauth/lib/dkim/sign.js")> {
  signing ??= import("mailauth/lib/dkim/sign.js");
  return signing;
}

/** Starts loading both without waiting; a failure surfaces where they are used. */
export function preloadMailauth(): void {
  loadMailauth().catch(() => {});
  loadDkimSign().catch(() => {});
}
