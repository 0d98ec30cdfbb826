// The options every benchmark scenario file takes, parsed in one place:
// --quick, --runs N, --messages N (IMAP), --vs-dovecot or --vs-postgres (Postfach on the PostgreSQL store
// beside the SQLite one), --results-file F (written by run-all.ts), --only a,b (run only the named
// scenarios, e.g. `--only fetch_body_random,pop3_retr_all`).
import { parseArgs } from "node:util";

export interface BenchOptions {
  readonly isQuick: boolean;
  /** --runs as given; each scenario has its own default. */
  readonly runs: string | undefined;
  readonly messages: string | undefined;
  readonly isVsDovecot: boolean;
  /** Each scenario also runs on Postfach with the PostgreSQL store (a fresh schema per fill). */
  readonly isVsPostgres: boolean;
  readonly resultsFile: string | undefined;
  /** Whether --only names this scenario (every scenario runs without --only). */
  isSelected(scenario: string): boolean;
}

export function parseBenchOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean" },
      runs: { type: "string" },
      messages: { type: "string" },
      "vs-dovecot": { type: "boolean" },
      "vs-postgres": { type: "boolean" },
      "results-file": { type: "string" },
      only: { type: "string" },
    },
    strict: false,
  });
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const only = text(values.only)?.split(",");
  // One comparison per invocation: the results table has one column to compare against.
  if (values["vs-dovecot"] === true && values["vs-postgres"] === true) {
    console.error("--vs-dovecot and --vs-postgres are mutually exclusive: run the bench once for each");
    process.exit(2);
  }
  return {
    isQuick: values.quick === true,
    runs: text(values.runs),
    messages: text(values.messages),
    isVsDovecot: values["vs-dovecot"] === true,
    isVsPostgres: values["vs-postgres"] === true,
    resultsFile: text(values["results-file"]),
    isSelected: (scenario) => only === undefined || only.includes(scenario),
  };
}
