// Child process for the crash test: appends messages in a loop and prints "ACK <uid> <sha256>" to
// stdout only after each append resolved, i.e. after the store acknowledged it. The parent kills it
// with SIGKILL at a random moment. With a third argument `replace`, each new message REPLACEs (RFC 8508)
// the previous one in INBOX instead, so INBOX must always hold exactly one.
import { createHash, randomBytes } from "node:crypto";
import { writeSync } from "node:fs";
import { MailboxService } from "../../src/mail/mailbox-service.js";
import { MessageService } from "../../src/mail/message-service.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";

const [dataDir, address, mode] = process.argv.slice(2) as [string, string, string | undefined];
const store = await openSqliteStore({ dataDir });
const account =
  (await store.accounts.findByAddress(address)) ??
  (await store.accounts.create({
    address,
    passwordHash: "x",
    quota: { storageBytes: null, messages: null },
  }));
const inbox = await new MailboxService(store).require(account.id, "INBOX");
const messages = new MessageService(store, { maxMessageBytes: 50 * 1024 * 1024 });
writeSync(1, "READY\n");

for (let i = 0; ; i++) {
  // Sizes from a few hundred bytes to ~600 KB, so kills land inside blob writes too.
  const bodyBytes = i % 7 === 0 ? 400_000 + (i % 5) * 50_000 : 200 + ((i * 7919) % 20_000);
  const body = randomBytes(Math.ceil(bodyBytes / 2))
    .toString("hex")
    .replace(/(.{76})/g, "$1\r\n");
  const raw = Buffer.from(
    `From: crash@example.test\r\nTo: ${address}\r\nSubject: crash ${process.pid} ${i}\r\n` +
      `Message-ID: <${process.pid}.${i}@example.test>\r\n\r\n${body}\r\n`,
  );
  const previous = mode === "replace" ? (await store.messages.listEntries(inbox.id)).at(-1) : undefined;
  const result =
    previous === undefined
      ? await messages.append(account.id, inbox.id, raw)
      : (
          await messages.replace(account.id, inbox.id, previous.uid, inbox.id, {
            blobHash: (await messages.storeBlob(raw)).hash,
          })
        ).appended;
  writeSync(1, `ACK ${result.uid} ${createHash("sha256").update(raw).digest("hex")}\n`);
}
