// Dovecot 2.3 (Debian's dovecot-imapd/-pop3d/-lmtpd) for `--vs-dovecot`: its own config, Maildir, state
// and log in a temporary folder, listeners on free loopback ports, the bench user in a passwd-file,
// default fsync settings. The bench never installs it; it only starts and stops the process it spawned.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_ADDRESS, BENCH_PASSWORD } from "./bench-server.js";
import { type WrittenCorpus, writeCorpusFiles } from "./maildir-writer.js";

const DOVECOT = "/usr/sbin/dovecot";
/** The master plus the three protocol services the scenarios use (one Debian package each). */
const REQUIRED = [DOVECOT, "/usr/lib/dovecot/imap", "/usr/lib/dovecot/pop3", "/usr/lib/dovecot/lmtp"];
export const DOVECOT_INSTALL = "apt-get install -y dovecot-imapd dovecot-pop3d dovecot-lmtpd";

/** Exits with the install command when Dovecot is missing: the bench never installs anything itself. */
export function requireDovecot(): void {
  if (REQUIRED.every((path) => existsSync(path))) return;
  console.error(`--vs-dovecot needs Dovecot 2.3; install it with:\n  ${DOVECOT_INSTALL}`);
  process.exit(2);
}

export interface DovecotServer {
  readonly pid: number;
  readonly dir: string;
  /** The bench user's Maildir (its INBOX). */
  readonly maildir: string;
  port(proto: "imap" | "pop3" | "lmtp"): number;
  /** Restarts the process (same config and Maildir), for "first after a restart" figures. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the server and removes the temporary folder. */
  remove(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

function idOf(user: string, flag: "-u" | "-g"): number {
  return Number(execFileSync("id", [flag, user], { encoding: "utf8" }).trim());
}

/**
 * A Dovecot whose bench user has an INBOX of `messages` corpus messages (`distinct` bodies repeated,
 * as `fillMailbox` does), written as Maildir files directly. `messages` may be 0 (delivery benches).
 */
export async function startDovecot(options: {
  readonly messages: number;
  readonly distinct: number;
  readonly seed: number;
  /** More accounts (empty mailboxes, unless `hasMail`), e.g. for the IDLE fan-out. */
  readonly extraUsers?: readonly {
    readonly address: string;
    readonly password: string;
    /** An INBOX with the same messages as the bench user's. */
    readonly hasMail?: boolean;
  }[];
  /** More top-level config lines (limits for many connections). */
  readonly extraConfig?: readonly string[];
  /** How many imap processes (one per connection) may run at once; 4096 unless given. */
  readonly imapProcessLimit?: number;
}): Promise<DovecotServer & { readonly corpus: WrittenCorpus }> {
  requireDovecot();
  const dir = await mkdtemp(join(tmpdir(), "postfach-dovecot-"));
  await chmod(dir, 0o755);
  const home = join(dir, "home");
  const corpus = await writeCorpusFiles({
    maildir: join(home, "Maildir"),
    messages: options.messages,
    distinct: Math.max(1, options.distinct),
    seed: options.seed,
  });
  // As root, mail is accessed as `nobody` (Dovecot refuses UID 0 for mail), the services as Debian's
  // dovecot/dovenull users; otherwise everything runs as the current user.
  const isRoot = process.getuid?.() === 0;
  const mailUid = isRoot ? idOf("nobody", "-u") : (process.getuid?.() ?? 0);
  const mailGid = isRoot ? idOf("nobody", "-g") : (process.getgid?.() ?? 0);
  // The bench user's password is stored as Dovecot's default scheme hashes it (as Postfach stores scrypt),
  // so both servers verify a real hash at login; the many IDLE accounts keep plain passwords.
  const benchHash = execFileSync("doveadm", ["pw", "-s", "SHA512-CRYPT", "-p", BENCH_PASSWORD], {
    encoding: "utf8",
  }).trim();
  const userLines = [`${BENCH_ADDRESS}:${benchHash}:${mailUid}:${mailGid}::${home}::`];
  for (const { address, password, hasMail } of options.extraUsers ?? []) {
    const userHome = join(dir, "homes", address);
    await mkdir(userHome, { recursive: true });
    if (hasMail) {
      const { messages, distinct, seed } = options;
      await writeCorpusFiles({ maildir: join(userHome, "Maildir"), messages, distinct, seed });
    }
    userLines.push(`${address}:{PLAIN}${password}:${mailUid}:${mailGid}::${userHome}::`);
  }
  if (isRoot) {
    execFileSync("chown", ["-R", `${mailUid}:${mailGid}`, home]);
    if (options.extraUsers?.length)
      execFileSync("chown", ["-R", `${mailUid}:${mailGid}`, join(dir, "homes")]);
  }
  const ports = { imap: await freePort(), pop3: await freePort(), lmtp: await freePort() };
  const users = join(dir, "users");
  await writeFile(users, `${userLines.join("\n")}\n`);
  if (isRoot) await chown(users, 0, idOf("dovecot", "-g"));
  const me = isRoot ? null : execFileSync("id", ["-un"], { encoding: "utf8" }).trim();
  const config = [
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `log_path = ${dir}/dovecot.log`,
    `info_log_path = ${dir}/dovecot.log`,
    "protocols = imap pop3 lmtp",
    "listen = 127.0.0.1",
    "ssl = no",
    "disable_plaintext_auth = no",
    "auth_mechanisms = plain login",
    "login_trusted_networks = 127.0.0.1/32",
    "mail_location = maildir:~/Maildir",
    "first_valid_uid = 1",
    "first_valid_gid = 1",
    ...(me ? [`default_internal_user = ${me}`, `default_login_user = ${me}`] : []),
    "passdb {",
    "  driver = passwd-file",
    `  args = scheme=PLAIN ${users}`,
    "}",
    "userdb {",
    "  driver = passwd-file",
    `  args = ${users}`,
    "}",
    "service imap-login {",
    `  inet_listener imap {\n    address = 127.0.0.1\n    port = ${ports.imap}\n  }`,
    "  inet_listener imaps {\n    port = 0\n  }",
    "}",
    "service pop3-login {",
    `  inet_listener pop3 {\n    address = 127.0.0.1\n    port = ${ports.pop3}\n  }`,
    "  inet_listener pop3s {\n    port = 0\n  }",
    "}",
    "service lmtp {",
    `  inet_listener lmtp {\n    address = 127.0.0.1\n    port = ${ports.lmtp}\n  }`,
    "}",
    `service imap {\n  process_limit = ${options.imapProcessLimit ?? 4096}\n}`,
    "protocol lmtp {\n  postmaster_address = postmaster@example.test\n}",
    // COMPRESS=DEFLATE (RFC 4978), which Postfach offers too and Debian's dovecot-imapd ships: clients
    // that use it when offered (mbsync) then do the same work against both servers.
    "protocol imap {\n  mail_plugins = $mail_plugins imap_zlib\n}",
    ...(options.extraConfig ?? []),
    "",
  ].join("\n");
  const configPath = join(dir, "dovecot.conf");
  await writeFile(configPath, config);
  await mkdir(join(dir, "state"), { recursive: true });

  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    const spawned = spawn(DOVECOT, ["-F", "-c", configPath], { stdio: ["ignore", "ignore", "pipe"] });
    child = spawned;
    let stderr = "";
    spawned.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    // Ready when every listener accepts a connection.
    for (const port of Object.values(ports)) {
      for (let attempt = 0; ; attempt++) {
        if (spawned.exitCode !== null) {
          const log = await readFile(join(dir, "dovecot.log"), "utf8").catch(() => "");
          throw new Error(`dovecot exited (${spawned.exitCode}): ${stderr}\n${log}`);
        }
        if (await canConnect(port)) break;
        if (attempt > 200) throw new Error(`dovecot did not listen on ${port}: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGTERM");
    await exited;
  };
  try {
    await start();
  } catch (error) {
    await stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    get pid() {
      return (child as ChildProcess | null)?.pid ?? 0;
    },
    dir,
    maildir: join(home, "Maildir"),
    corpus,
    port: (proto) => ports[proto],
    async restart() {
      await stop();
      await start();
    },
    stop,
    async remove() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function canConnect(port: number): Promise<boolean> {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
