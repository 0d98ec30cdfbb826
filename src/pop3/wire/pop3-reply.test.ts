import assert from "node:assert/strict";
import { test } from "node:test";
import { err, formatReply, multiline, ok } from "./pop3-reply.js";

test("status lines, response codes, multi-line bodies and challenges", () => {
  assert.equal(formatReply(ok("")), "+OK\r\n");
  assert.equal(formatReply(ok("2 320")), "+OK 2 320\r\n");
  assert.equal(formatReply(err("Maildrop locked", "IN-USE")), "-ERR [IN-USE] Maildrop locked\r\n");
  assert.equal(formatReply(multiline("follows", ["TOP", ".dot"])), "+OK follows\r\nTOP\r\n..dot\r\n.\r\n");
  assert.equal(formatReply({ kind: "challenge", data: Buffer.alloc(0) }), "+ \r\n");
  assert.equal(formatReply({ kind: "challenge", data: Buffer.from("Password:") }), "+ UGFzc3dvcmQ6\r\n");
});

test("reply text can never break the line and forge a second reply", () => {
  assert.equal(formatReply(err("evil\r\n+OK forged")), "-ERR evil +OK forged\r\n");
});
