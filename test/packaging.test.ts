// Packaging (docs/operations.md "Running under systemd", "Container", "Installing"): the systemd unit passes
// `systemd-analyze verify` (and the check catches a broken unit); the Dockerfile copies only what the build
// makes and sets only environment overrides Postfach knows (no Docker engine here to build it); `npm pack`
// gives a package whose `postfach` bin runs from the unpacked layout, webmail and admin API document included.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { ENV_OVERRIDES } from "../src/config/env-overrides.js";

const run = promisify(execFile);
const ROOT = new URL("../../", import.meta.url).pathname;
const HAS_SYSTEMD_ANALYZE = existsSync("/usr/bin/systemd-analyze");

async function verifyUnit(path: string): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run("systemd-analyze", ["verify", path], { timeout: 60_000 });
    return { code: 0, stderr };
  } catch (error) {
    const e = error as { code?: number; stderr?: string };
    return { code: e.code ?? 1, stderr: e.stderr ?? "" };
  }
}

describe("packaging", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "postfach-packaging-"));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("the systemd unit passes systemd-analyze verify, which does catch a broken one", {
    skip: !HAS_SYSTEMD_ANALYZE && "systemd-analyze is not installed",
  }, async () => {
    const unit = join(ROOT, "deploy", "postfach.service");
    const good = await verifyUnit(unit);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.stderr.trim(), "", good.stderr);
    const text = await readFile(unit, "utf8");
    const broken = join(dir, "postfach.service");
    await writeFile(broken, text.replace("NoNewPrivileges=true", "NoNewPrivilege=true"));
    const bad = await verifyUnit(broken);
    assert.match(bad.stderr, /NoNewPrivilege/, "a misspelled directive is reported");
  });

  it("the Dockerfile copies what the build makes and sets only known environment overrides", async () => {
    const dockerfile = await readFile(join(ROOT, "deploy", "Dockerfile"), "utf8");
    const copied = [...dockerfile.matchAll(/^COPY --from=build \/src\/(\S+)/gm)].map((m) => m[1] as string);
    assert.ok(copied.length >= 4, copied.join(", "));
    for (const path of copied) assert.ok(existsSync(join(ROOT, path)), `${path} exists after npm run build`);
    const variables = [...dockerfile.matchAll(/\b(POSTFACH_[A-Z0-9_]+)=/g)].map((m) => m[1] as string);
    const known = new Set([...Object.keys(ENV_OVERRIDES), "POSTFACH_CONFIG"]);
    for (const variable of variables)
      assert.ok(known.has(variable), `${variable} is an override Postfach reads`);
    assert.match(dockerfile, /ENTRYPOINT \["node", "\/opt\/postfach\/dist\/src\/cli\/postfach\.js"\]/);
  });

  it("npm pack gives a package whose postfach bin runs from the unpacked layout", async () => {
    const packed = await run("npm", ["pack", "--json", "--pack-destination", dir], {
      cwd: ROOT,
      timeout: 120_000,
    });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    assert.ok(info);
    const files = new Set(info.files.map((f) => f.path));
    for (const path of [
      "dist/src/cli/postfach.js",
      "dist/web/index.html",
      "docs/admin-api.json",
      "deploy/postfach.service",
    ]) {
      assert.ok(files.has(path), `${path} is in the package`);
    }
    assert.ok(
      ![...files].some((f) => f.startsWith("dist/test/") || f.startsWith("src/")),
      "no tests or sources",
    );
    await run("tar", ["-xzf", join(dir, info.filename), "-C", dir]);
    const pkg = join(dir, "package");
    const manifest = JSON.parse(await readFile(join(pkg, "package.json"), "utf8")) as {
      bin: Record<string, string>;
    };
    const bin = join(pkg, manifest.bin.postfach as string);
    assert.match(await readFile(bin, "utf8"), /^#!\/usr\/bin\/env node\n/);
    // Dependencies as npm would install them beside the package.
    await symlink(join(ROOT, "node_modules"), join(pkg, "node_modules"));
    const env = { ...process.env, POSTFACH_DATA: join(dir, "data"), POSTFACH_CONFIG: "" };
    const help = await run(process.execPath, [bin, "--help"], { env });
    assert.match(help.stdout, /Usage: postfach <command>/);
    const added = await run(
      process.execPath,
      [bin, "user", "add", "pkg@example.test", "--password", "packaged-1"],
      {
        env,
      },
    );
    assert.match(added.stdout, /Created pkg@example\.test/);
  });
});
