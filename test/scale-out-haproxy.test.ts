// The docs/scale-out.md setup, automated: HAProxy (when installed) in front of two `postfach serve` nodes
// on one PostgreSQL schema, passing client addresses with PROXY protocol v2. A login from 127.0.0.2
// through HAProxy is logged by the node with that address, a delivery through it reaches the mailbox, and
// a node refuses a client that bypasses the balancer. Skipped with one line without haproxy or PostgreSQL.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it, test } from "node:test";
import { defaultConfig } from "../src/config/config.js";
import { openServices } from "../src/services.js";
import {
  createTestSchema,
  describeWithPostgres,
  dropTestSchema,
  testSchemaUrl,
} from "../src/store/postgres/postgres-test-harness.js";
import { type NodeProcess, startNode } from "./helpers/node-process.js";
import { withTestScryptCost } from "./helpers/test-auth.js";

const PASSWORD = "correct-horse-battery";
const USER = "alice@example.test";
const START_TIMEOUT_MS = 20_000;
/** A client address other than HAProxy's own (127.0.0.1), so the node's log shows which one it used. */
const CLIENT_ADDRESS = "127.0.0.2";

const isHaproxyInstalled = spawnSync("haproxy", ["-v"]).status === 0;

/** A port that was free a moment ago (HAProxy's frontends need fixed ports in its config). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** The haproxy.cfg of docs/scale-out.md, on the given ports. */
function haproxyConfig(front: Record<"imap" | "lmtp", number>, nodes: readonly NodeProcess[]): string {
  const backend = (name: string, proto: "imap" | "lmtp", expect: string) => [
    `backend ${name}`,
    `    balance ${proto === "imap" ? "leastconn" : "roundrobin"}`,
    "    option tcp-check",
    `    tcp-check expect ${expect}`,
    ...nodes.map(
      (node) =>
        `    server ${node.name} 127.0.0.1:${node.ports[proto]} send-proxy-v2 check check-send-proxy inter 500ms`,
    ),
  ];
  return [
    "global",
    "    maxconn 1000",
    "defaults",
    "    mode tcp",
    "    option tcpka",
    "    timeout connect 5s",
    "    retries 2",
    "    option redispatch",
    "    timeout client 35m",
    "    timeout server 35m",
    "    timeout check 5s",
    "frontend imap",
    `    bind 127.0.0.1:${front.imap}`,
    "    default_backend imap_nodes",
    "frontend lmtp",
    `    bind 127.0.0.1:${front.lmtp}`,
    "    default_backend lmtp_nodes",
    ...backend("imap_nodes", "imap", "rstring ^\\*\\ OK"),
    ...backend("lmtp_nodes", "lmtp", "string 220"),
    "",
  ].join("\n");
}

/** A plain connection reading CRLF lines, optionally from a chosen local address. */
class Lines {
  #buffer = "";
  #waiters: (() => void)[] = [];
  #isClosed = false;

  private constructor(readonly socket: Socket) {
    socket.setEncoding("latin1");
    socket.on("data", (data: string) => {
      this.#buffer += data;
      for (const wake of this.#waiters.splice(0)) wake();
    });
    const closed = () => {
      this.#isClosed = true;
      for (const wake of this.#waiters.splice(0)) wake();
    };
    socket.on("close", closed);
    socket.on("error", closed);
  }

  static async open(port: number, localAddress?: string): Promise<Lines> {
    const socket = connect({ host: "127.0.0.1", port, ...(localAddress ? { localAddress } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new Lines(socket);
  }

  /** The next line, or null when the connection closed first. */
  async line(timeoutMs = 10_000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.#buffer.indexOf("\r\n");
      if (end >= 0) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        return line;
      }
      if (this.#isClosed) return null;
      if (Date.now() > deadline) throw new Error(`timed out; received: ${this.#buffer}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Writes `tag command` and returns the lines up to the tagged reply. */
  async command(tag: string, command: string): Promise<string> {
    this.socket.write(`${tag} ${command}\r\n`);
    const lines: string[] = [];
    for (;;) {
      const line = await this.line();
      if (line === null) throw new Error(`closed; received: ${lines.join("\n")}`);
      lines.push(line);
      if (line.startsWith(`${tag} `)) return lines.join("\n");
    }
  }
}

if (!isHaproxyInstalled) {
  test("two nodes behind HAProxy", {
    skip: "haproxy is not installed: HAProxy setup test skipped",
  }, () => {});
} else {
  await describeWithPostgres(() => {
    describe("two nodes behind HAProxy with PROXY protocol v2", () => {
      let dir = "";
      let schema = "";
      const nodes: NodeProcess[] = [];
      let haproxy: ChildProcess | undefined;
      const front = { imap: 0, lmtp: 0 };

      before(async () => {
        dir = await mkdtemp(join(tmpdir(), "postfach-haproxy-"));
        schema = await createTestSchema();
        const store = testSchemaUrl(schema);
        const services = await openServices(
          withTestScryptCost({ ...defaultConfig(), dataDir: join(dir, "admin"), store }),
        );
        await services.users.add(USER, PASSWORD);
        await services.close();
        const proxy = ["[proxy]", 'trusted = ["127.0.0.1"]', "imap = true", "pop3 = true", "lmtp = true"];
        nodes.push(
          ...(await Promise.all(
            ["node-a", "node-b"].map((name) =>
              startNode({ dir, name, store, logLevel: "info", extraToml: proxy }),
            ),
          )),
        );
        front.imap = await freePort();
        front.lmtp = await freePort();
        const configPath = join(dir, "haproxy.cfg");
        await writeFile(configPath, haproxyConfig(front, nodes));
        haproxy = spawn("haproxy", ["-f", configPath, "-db"], { stdio: "ignore" });
        await untilGreeted(front.imap);
      });

      after(async () => {
        if (haproxy && haproxy.exitCode === null) {
          const exited = new Promise((resolve) => haproxy?.once("exit", resolve));
          haproxy.kill("SIGTERM");
          await exited;
        }
        await Promise.all(nodes.map((node) => node.kill("SIGTERM")));
        if (schema) await dropTestSchema(schema);
        await rm(dir, { recursive: true, force: true });
      });

      it("passes the client's address to the node and serves IMAP and LMTP through HAProxy", async () => {
        const lmtp = await Lines.open(front.lmtp);
        assert.match((await lmtp.line()) ?? "", /^220 /);
        lmtp.socket.write(`LHLO mx.example\r\nMAIL FROM:<s@remote.example>\r\nRCPT TO:<${USER}>\r\nDATA\r\n`);
        while (!((await lmtp.line()) ?? "354").startsWith("354")) {}
        lmtp.socket.write("Subject: through haproxy\r\n\r\nHello.\r\n.\r\n");
        assert.match((await lmtp.line()) ?? "", /^250 /);
        lmtp.socket.end("QUIT\r\n");

        const imap = await Lines.open(front.imap, CLIENT_ADDRESS);
        assert.match((await imap.line()) ?? "", /^\* OK/);
        assert.match(await imap.command("a", `LOGIN ${USER} ${PASSWORD}`), /^a OK/m);
        assert.match(await imap.command("b", "SELECT INBOX"), /^\* 1 EXISTS/m);
        await imap.command("c", "LOGOUT");
        const deadline = Date.now() + 5000;
        const logged = () =>
          nodes.some((node) =>
            node
              .log()
              .split("\n")
              .some(
                (line) =>
                  line.includes('"protocol":"imap"') && line.includes(`"remoteAddress":"${CLIENT_ADDRESS}"`),
              ),
          );
        while (!logged() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        assert.ok(logged(), `a node logged the login with the client's address ${CLIENT_ADDRESS}`);
      });

      it("closes a client that bypasses HAProxy without a reply", async () => {
        const direct = await Lines.open((nodes[0] as NodeProcess).ports.imap);
        direct.socket.write("a LOGIN x y\r\n");
        assert.equal(await direct.line(), null);
      });
    });
  });
}

/** Waits until HAProxy accepts and a node behind it greets (its first health checks have passed). */
async function untilGreeted(port: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const greeting = await Lines.open(port)
      .then(async (lines) => {
        const line = await lines.line(2000).catch(() => null);
        lines.socket.destroy();
        return line;
      })
      .catch(() => null);
    if (greeting?.startsWith("* OK")) return;
    if (Date.now() > deadline) throw new Error("HAProxy did not start serving in time");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
