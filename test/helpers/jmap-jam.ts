// Loads jmap-jam (the third-party JMAP client of the acceptance test) with a small structural type of
// what the tests use. Its own type declarations import jmap-rfc-types, which ships TypeScript sources with
// ".ts" import paths this project's compiler settings reject, so the module is imported by a computed
// specifier (no type resolution) and typed here; at run time it is the real package.
type Obj = Record<string, unknown>;

export interface JamMeta {
  readonly sessionState: string;
  readonly createdIds?: Record<string, string>;
}

export interface JamDraft {
  $ref(path: string): unknown;
}

type Entity = "Mailbox" | "Thread" | "Email" | "SearchSnippet" | "Identity" | "EmailSubmission";
type Operation = "get" | "set" | "query" | "changes" | "import";

export type JamDrafts = Record<Entity, Record<Operation, (args: Obj) => JamDraft>>;

export interface Jam {
  readonly api: Record<Entity, Record<Operation, (args: Obj, options?: Obj) => Promise<[Obj, JamMeta]>>>;
  requestMany<K extends string>(
    build: (t: JamDrafts) => Record<K, JamDraft>,
    options?: Obj,
  ): Promise<[Record<K, Obj>, JamMeta]>;
  getPrimaryAccount(): Promise<string>;
  uploadBlob(accountId: string, body: Blob): Promise<{ blobId: string; type: string; size: number }>;
  connectEventSource(options: {
    types: "*" | string[];
    ping: number;
    closeafter?: "state" | "no";
  }): Promise<unknown>;
}

export async function createJamClient(options: { sessionUrl: string; bearerToken: string }): Promise<Jam> {
  const specifier = "jmap-jam";
  const module = (await import(specifier)) as { default: new (options: Obj) => Jam };
  return new module.default(options);
}
