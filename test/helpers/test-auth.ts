// The password-hash cost of servers that tests start, in process or as `postfach serve` children.
import type { Config } from "../../src/config/config.js";

/**
 * scrypt's log2 cost for test servers ([auth] scrypt_log2_cost, the schema's minimum). At the default
 * (15) each account added and each first login hashed for ~100 ms of a core on the libuv pool, and test
 * files add and log in dozens of accounts each: in test/imap-[a-m]* hashing was half the CPU. The same
 * code runs at any cost; the CLI (test/cli*.test.ts) keeps hashing at the default one. Accounts and the
 * servers that log them in must agree on it, or the first login rehashes at the server's cost.
 */
export const TEST_SCRYPT_LOG2_COST = 4;

/** `config` with the test servers' password-hash cost. */
export function withTestScryptCost(config: Config): Config {
  return { ...config, auth: { ...config.auth, scryptLog2Cost: TEST_SCRYPT_LOG2_COST } };
}
