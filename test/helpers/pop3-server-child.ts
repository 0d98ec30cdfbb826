// Test support: a POP3 server in its own process, so a test can kill it with SIGKILL. Creates the
// account (with one message) on first start; prints "READY <port>" once it listens.
import { makeMessage, startPop3TestServer } from "./pop3-test-server.js";

const [dataDir, address] = process.argv.slice(2);
if (dataDir === undefined || address === undefined)
  throw new Error("usage: pop3-server-child <dataDir> <address>");
const server = await startPop3TestServer({ dataDir, persistTls: true });
if ((await server.services.store.accounts.findByAddress(address)) === undefined) {
  const id = await server.addUser(address);
  await server.deliver(id, makeMessage("survives kill -9"));
}
process.stdout.write(`READY ${server.plainPort}\n`);
