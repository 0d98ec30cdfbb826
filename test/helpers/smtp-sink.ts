// A "remote MX" for outbound tests: a small SMTP server on a loopback port that records what it is sent
// (envelope and bytes), refuses chosen recipients with a permanent 550, and can go down and come back on
// the same port. Deliberately its own code, so the outbound client is checked against a second,
// independent SMTP implementation.
import { createServer, type Server, type Socket } from "node:net";

export interface SinkMessage {
  readonly from: string;
  readonly recipients: readonly string[];
  readonly data: string;
}

export interface SmtpSink {
  port: number;
  readonly messages: SinkMessage[];
  /** Recipients answered "550 5.1.1" at RCPT. */
  readonly refused: Set<string>;
  /** Stops listening (connections are refused) until `start`. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  const sink: SmtpSink = {
    port,
    messages: [],
    refused: new Set(),
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = null;
    },
    async start() {
      server = createServer((socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        serve(socket, sink);
      });
      await new Promise<void>((resolve) => server?.listen(sink.port, "127.0.0.1", resolve));
      const address = server.address();
      if (address !== null && typeof address === "object") sink.port = address.port;
    },
  };
  await sink.start();
  return sink;
}

function serve(socket: Socket, sink: SmtpSink): void {
  socket.setEncoding("latin1");
  socket.on("error", () => {});
  const say = (line: string) => socket.write(`${line}\r\n`);
  let buffer = "";
  let from = "";
  let recipients: string[] = [];
  let data: string | null = null;
  say("220 mx.remote.test ESMTP sink");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    for (;;) {
      if (data !== null) {
        data += buffer;
        buffer = "";
        // Framed with a leading CRLF so an empty message ("." at once) ends too.
        const framed = `\r\n${data}`;
        const end = framed.indexOf("\r\n.\r\n");
        if (end < 0) return;
        buffer = framed.slice(end + 5);
        sink.messages.push({ from, recipients, data: framed.slice(2, end + 2).replace(/^\.\./gm, ".") });
        data = null;
        recipients = [];
        say("250 2.0.0 Ok: queued by sink");
        continue;
      }
      const end = buffer.indexOf("\r\n");
      if (end < 0) return;
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === "EHLO") say("250-mx.remote.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 10000000");
      else if (verb === "HELO") say("250 mx.remote.test");
      else if (verb === "MAIL") {
        from = /<([^>]*)>/.exec(line)?.[1] ?? "";
        recipients = [];
        say("250 2.1.0 Ok");
      } else if (verb === "RCPT") {
        const to = /<([^>]*)>/.exec(line)?.[1] ?? "";
        if (sink.refused.has(to)) say(`550 5.1.1 <${to}>: Recipient address rejected: no such user`);
        else {
          recipients.push(to);
          say("250 2.1.5 Ok");
        }
      } else if (verb === "DATA") {
        data = "";
        say("354 End data with <CR><LF>.<CR><LF>");
      } else if (verb === "QUIT") {
        say("221 2.0.0 Bye");
        socket.end();
        return;
      } else if (verb === "RSET" || verb === "NOOP") say("250 2.0.0 Ok");
      else say("502 5.5.2 Command not recognized");
    }
  });
}
