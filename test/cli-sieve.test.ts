// `postfach sieve` as an operator uses it on a data folder: put from standard input and from a file
// (refused with line numbers when the script has errors), list, get, activate, deactivate, delete.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { postfach } from "./helpers/postfach-cli.js";

describe("postfach sieve", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const user = "sieve-cli@example.test";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "postfach-cli-sieve-"));
    env = { POSTFACH_DATA: join(dir, "data"), POSTFACH_CONFIG: "" };
    const added = await postfach(["user", "add", user], env, "s3cret-passphrase\n");
    assert.equal(added.code, 0, added.stderr);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("stores, lists, prints, activates and deletes scripts", async () => {
    const script = 'require "fileinto";\nif header :is "x-list" "dev" { fileinto "Lists/dev"; }\n';
    const put = await postfach(["sieve", "put", user, "lists", "--activate"], env, script);
    assert.equal(put.code, 0, put.stderr);
    const file = join(dir, "spare.sieve");
    await writeFile(file, "keep;\n");
    assert.equal((await postfach(["sieve", "put", user, "spare", file], env)).code, 0);

    const broken = await postfach(["sieve", "put", user, "broken"], env, 'keep;\nfileinto "x";\n');
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /line 2/);

    const list = JSON.parse((await postfach(["sieve", "list", user, "--json"], env)).stdout) as {
      name: string;
      active: boolean;
    }[];
    assert.deepEqual(
      list.map((s) => [s.name, s.active]),
      [
        ["lists", true],
        ["spare", false],
      ],
    );
    assert.equal((await postfach(["sieve", "get", user, "lists"], env)).stdout, script);
    const deleteActive = await postfach(["sieve", "delete", user, "lists"], env);
    assert.equal(deleteActive.code, 1);
    assert.match(deleteActive.stderr, /active script/);
    assert.equal((await postfach(["sieve", "activate", user, "spare"], env)).code, 0);
    assert.equal((await postfach(["sieve", "delete", user, "lists"], env)).code, 0);
    assert.equal((await postfach(["sieve", "deactivate", user], env)).code, 0);
    assert.match((await postfach(["sieve", "list", user], env)).stdout, /^spare\t6 bytes\n$/);
    const missing = await postfach(["sieve", "activate", user, "nope"], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No script named nope/);
  });
});
