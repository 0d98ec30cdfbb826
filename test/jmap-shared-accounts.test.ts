// Mailboxes shared over IMAP ACL (RFC 4314) as further JMAP accounts (RFC 8620 §1.6.2, RFC 8621 §2
// myRights) over real HTTP: the session lists the owner's account for the user, mail methods read only
// what the rights show, Email/set writes only what they allow, and push reports the owner's changes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ImapFlow } from "imapflow";
import { EventSourceReader } from "./helpers/event-source-reader.js";
import { imapFlowClient } from "./helpers/imapflow-client.js";
import { CORE, JmapTestClient, MAIL } from "./helpers/jmap-client.js";
import { RawImap } from "./helpers/raw-imap.js";
import { startTestServer, TEST_PASSWORD, type TestServer } from "./helpers/test-server.js";

type Obj = Record<string, unknown>;
const ALICE = "alice@example.test";
const BOB = "bob@example.test";

const message = (subject: string) =>
  `From: Bob <bob@example.test>\r\nTo: Team <team@example.test>\r\nSubject: ${subject}\r\n\r\n${subject} body.\r\n`;

describe("JMAP shared accounts from IMAP ACLs", () => {
  let server: TestServer;
  let alice: JmapTestClient;
  let bobImap: ImapFlow;
  let bobAcl: RawImap;
  let aliceId: string;
  let bobAccount: string;
  let tag = 0;

  const setAcl = async (rights: string) => {
    const t = `a${++tag}`;
    const command = rights === "" ? `DELETEACL Team ${ALICE}` : `SETACL Team ${ALICE} ${rights}`;
    assert.match(await bobAcl.command(t, command), new RegExp(`^${t} OK`, "m"));
  };
  const emailIdOf = async (mailbox: string, uid: number): Promise<string> => {
    await bobImap.mailboxOpen(mailbox);
    const fetched = await bobImap.fetchOne(String(uid), { emailId: true }, { uid: true });
    return (fetched as { emailId: string }).emailId;
  };
  const append = async (mailbox: string, subject: string): Promise<string> => {
    const appended = await bobImap.append(mailbox, message(subject));
    return emailIdOf(mailbox, appended === false ? 0 : (appended.uid ?? 0));
  };

  before(async () => {
    server = await startTestServer();
    await server.addUser(ALICE);
    await server.addUser(BOB);
    alice = new JmapTestClient(`http://127.0.0.1:${server.port("http")}`, ALICE, TEST_PASSWORD);
    aliceId = await alice.accountId();
    bobImap = imapFlowClient(server.port("imap"), BOB);
    await bobImap.connect();
    await bobImap.mailboxCreate("Team");
    await bobImap.mailboxCreate("Private");
    bobAcl = await RawImap.loggedIn(server.port("imap"), BOB, TEST_PASSWORD);
  });
  after(async () => {
    await bobImap.logout().catch(() => {});
    await server.stop();
  });

  it("lists the owner's account once something is shared, read-only with lr", async () => {
    const before = await alice.session();
    assert.deepEqual(Object.keys(before.accounts as Obj), [aliceId]);
    await setAcl("lr");
    const session = await alice.session();
    const accounts = session.accounts as Record<string, Obj>;
    const ids = Object.keys(accounts).filter((id) => id !== aliceId);
    assert.equal(ids.length, 1);
    bobAccount = ids[0] as string;
    assert.equal(accounts[bobAccount]?.name, BOB);
    assert.equal(accounts[bobAccount]?.isPersonal, false);
    assert.equal(accounts[bobAccount]?.isReadOnly, true);
    assert.ok(MAIL in ((accounts[bobAccount] as Obj).accountCapabilities as Obj));
    assert.notEqual(session.state, before.state, "the session state moves with what is shared");
    assert.equal((session.primaryAccounts as Obj)[MAIL], aliceId);
  });

  it("shows only the shared mailbox and its emails, with myRights from the ACL", async () => {
    const shared = await append("Team", "Shared plan");
    const hidden = await append("INBOX", "Bob's own");
    const boxes = await alice.one("Mailbox/get", { accountId: bobAccount });
    const list = boxes.list as Obj[];
    assert.deepEqual(
      list.map((m) => m.name),
      ["Team"],
    );
    const rights = list[0]?.myRights as Obj;
    assert.equal(rights.mayReadItems, true);
    assert.equal(rights.mayAddItems, false);
    assert.equal(rights.maySetSeen, false);
    assert.equal(list[0]?.totalEmails, 1);
    const query = await alice.one("Email/query", { accountId: bobAccount });
    assert.deepEqual(query.ids, [shared]);
    const get = await alice.one("Email/get", {
      accountId: bobAccount,
      ids: [shared, hidden],
      properties: ["subject"],
    });
    assert.deepEqual(
      (get.list as Obj[]).map((e) => e.subject),
      ["Shared plan"],
    );
    assert.deepEqual(get.notFound, [hidden], "an email of an unshared mailbox does not exist for alice");
    const own = await alice.one("Email/query", { accountId: aliceId });
    assert.deepEqual(own.ids, [], "alice's own account is apart");
  });

  it("enforces the rights on Email/set and refuses methods that do not serve shared accounts", async () => {
    const [id] = (await alice.one("Email/query", { accountId: bobAccount })).ids as string[];
    const seen = { update: { [id as string]: { "keywords/$seen": true } } };
    const refused = await alice.one("Email/set", { accountId: bobAccount, ...seen });
    assert.equal((refused.notUpdated as Record<string, Obj>)[id as string]?.type, "forbidden");
    await setAcl("lrs");
    const allowed = await alice.one("Email/set", { accountId: bobAccount, ...seen });
    assert.deepEqual(allowed.updated, { [id as string]: null });
    await bobImap.mailboxOpen("Team");
    const flags = await bobImap.fetchOne("1", { flags: true });
    assert.ok(flags !== false && flags.flags?.has("\\Seen"), "bob sees alice's \\Seen over IMAP");
    const flagged = await alice.one("Email/set", {
      accountId: bobAccount,
      update: { [id as string]: { "keywords/$flagged": true } },
      destroy: [],
    });
    assert.equal((flagged.notUpdated as Record<string, Obj>)[id as string]?.type, "forbidden", "w is needed");
    const destroy = await alice.one("Email/set", { accountId: bobAccount, destroy: [id] });
    assert.equal((destroy.notDestroyed as Record<string, Obj>)[id as string]?.type, "forbidden");
    const created = await alice.one("Email/set", {
      accountId: bobAccount,
      create: { c1: { subject: "x" } },
    });
    assert.equal((created.notCreated as Record<string, Obj>).c1?.type, "forbidden");
    const responses = await alice.call(
      [
        ["Identity/get", { accountId: bobAccount }, "a"],
        ["Email/get", { accountId: "Azzzz", ids: [] }, "c"],
      ],
      [CORE, MAIL, "urn:ietf:params:jmap:submission"],
    );
    assert.deepEqual(
      responses.map((r) => r[1].type),
      ["accountNotSupportedByMethod", "accountNotFound"],
    );
  });

  it("reports changes of the shared mailboxes only, and pushes the owner's StateChange", async () => {
    const state = (await alice.one("Email/get", { accountId: bobAccount, ids: [] })).state as string;
    const stream = await EventSourceReader.open(
      `${alice.baseUrl}/jmap/eventsource?types=*`,
      alice.authorization,
    );
    const added = await append("Team", "Another shared one");
    const event = await stream.next();
    const changed = (JSON.parse(event.data) as { changed: Record<string, Obj> }).changed;
    assert.ok(bobAccount in changed, "the StateChange names bob's account");
    assert.equal((changed[bobAccount] as Obj).EmailDelivery, undefined, "no one learns another's arrivals");
    stream.close();
    await append("Private", "Not for alice");
    const changes = await alice.one("Email/changes", { accountId: bobAccount, sinceState: state });
    assert.deepEqual([changes.created, changes.updated, changes.destroyed], [[added], [], []]);
    // Taking the rights away: the mailbox and its emails are gone for alice.
    const boxState = (await alice.one("Mailbox/get", { accountId: bobAccount, ids: [] })).state as string;
    await setAcl("l");
    const boxes = await alice.one("Mailbox/changes", { accountId: bobAccount, sinceState: boxState });
    assert.equal((boxes.updated as string[]).length, 1, "still listed (l), its rights changed");
    const refetch = await alice.call([
      ["Email/changes", { accountId: bobAccount, sinceState: boxState }, "x"],
    ]);
    assert.equal(refetch[0]?.[1].type, "cannotCalculateChanges", "a rights change: fetch again");
    assert.deepEqual((await alice.one("Email/query", { accountId: bobAccount })).ids, []);
    await setAcl("");
    assert.deepEqual(Object.keys((await alice.session()).accounts as Obj), [aliceId]);
    const gone = await alice.call([["Email/query", { accountId: bobAccount }, "y"]], [CORE, MAIL]);
    assert.equal(gone[0]?.[1].type, "accountNotFound");
  });

  it("Email/copy between the user's account and the shared one, with onSuccessDestroyOriginal", async () => {
    await setAcl("lri");
    const aliceImap = imapFlowClient(server.port("imap"), ALICE);
    await aliceImap.connect();
    await aliceImap.append("INBOX", message("From alice's inbox"), ["\\Flagged"]);
    await aliceImap.mailboxOpen("INBOX");
    const fetched = await aliceImap.fetchOne("*", { emailId: true });
    const aliceEmail = (fetched as { emailId: string }).emailId;
    const boxes = await alice.one("Mailbox/get", { accountId: bobAccount, properties: ["name"] });
    const team = (boxes.list as Obj[])[0]?.id as string;
    const own = await alice.one("Mailbox/get", { accountId: aliceId, properties: ["name"] });
    const inbox = ((own.list as Obj[]).find((m) => m.name === "INBOX") as Obj).id as string;

    const [copy] = await alice.call([
      [
        "Email/copy",
        {
          fromAccountId: aliceId,
          accountId: bobAccount,
          create: { k1: { id: aliceEmail, mailboxIds: { [team]: true } } },
        },
        "c",
      ],
    ]);
    const created = ((copy as [string, Obj, string])[1].created as Record<string, Obj>).k1 as Obj;
    assert.notEqual(created.id, aliceEmail, "a new Email of bob's account");
    const teamQuery = await alice.one("Email/query", { accountId: bobAccount });
    assert.ok((teamQuery.ids as string[]).includes(created.id as string));
    const got = await alice.one("Email/get", {
      accountId: bobAccount,
      ids: [created.id],
      properties: ["keywords", "subject"],
    });
    assert.deepEqual(
      (got.list as Obj[])[0],
      { id: created.id, keywords: {}, subject: "From alice's inbox" },
      "no w right: $flagged dropped",
    );

    // Back into alice's INBOX, destroying the original: bob's ACL lacks t and e, so the destroy is refused.
    const back = await alice.call([
      [
        "Email/copy",
        {
          fromAccountId: bobAccount,
          accountId: aliceId,
          create: { k2: { id: created.id, mailboxIds: { [inbox]: true } } },
          onSuccessDestroyOriginal: true,
        },
        "d",
      ],
    ]);
    assert.deepEqual(
      back.map((r) => r[0]),
      ["Email/copy", "Email/set"],
      "the implicit Email/set follows the copy",
    );
    assert.equal(
      ((back[1] as [string, Obj, string])[1].notDestroyed as Record<string, Obj>)[created.id as string]?.type,
      "forbidden",
    );
    await setAcl("lrite");
    const moved = await alice.call([
      [
        "Email/copy",
        {
          fromAccountId: bobAccount,
          accountId: aliceId,
          create: { k3: { id: created.id, mailboxIds: { [inbox]: true }, keywords: { $seen: true } } },
          onSuccessDestroyOriginal: true,
        },
        "e",
      ],
    ]);
    assert.deepEqual(moved[1]?.[1].destroyed, [created.id]);
    const k3 = (((moved[0] as [string, Obj, string])[1].created as Record<string, Obj>).k3 as Obj)
      .id as string;
    const mine = await alice.one("Email/get", { accountId: aliceId, ids: [k3], properties: ["keywords"] });
    assert.deepEqual((mine.list as Obj[])[0]?.keywords, { $seen: true });

    await setAcl("lr");
    const errors = await alice.call([
      ["Email/copy", { fromAccountId: "Anobody", accountId: aliceId, create: {} }, "f"],
      ["Email/copy", { fromAccountId: aliceId, accountId: aliceId, create: {} }, "g"],
      [
        "Email/copy",
        {
          fromAccountId: aliceId,
          accountId: bobAccount,
          create: { k4: { id: aliceEmail, mailboxIds: { [team]: true } } },
        },
        "h",
      ],
      [
        "Email/copy",
        {
          fromAccountId: aliceId,
          accountId: bobAccount,
          create: { k5: { id: "nope", mailboxIds: { [team]: true } } },
        },
        "i",
      ],
    ]);
    assert.equal(errors[0]?.[1].type, "fromAccountNotFound");
    assert.equal(errors[1]?.[1].type, "invalidArguments");
    assert.equal(
      ((errors[2] as [string, Obj, string])[1].notCreated as Record<string, Obj>).k4?.type,
      "forbidden",
      "no i right",
    );
    assert.equal(
      ((errors[3] as [string, Obj, string])[1].notCreated as Record<string, Obj>).k5?.type,
      "notFound",
    );
    await aliceImap.logout();
  });

  it("Mailbox/set, Email/import and downloads in the shared account, as the ACL allows", async () => {
    await setAcl("lr");
    const boxes = await alice.one("Mailbox/get", { accountId: bobAccount, properties: ["name", "myRights"] });
    const team = ((boxes.list as Obj[]).find((m) => m.name === "Team") as Obj).id as string;
    const mailboxSet = (args: Obj) => alice.one("Mailbox/set", { accountId: bobAccount, ...args });
    const setErrorOf = (response: Obj, kind: string, id: string) =>
      ((response[kind] as Record<string, Obj> | null)?.[id] as Obj | undefined)?.type;

    // Create below Team: k on the parent; never at the top level; a role is the owner's.
    const noK = await mailboxSet({ create: { c: { name: "Sub", parentId: team } } });
    assert.equal(setErrorOf(noK, "notCreated", "c"), "forbidden", "no k right");
    await setAcl("lrkx");
    const made = await mailboxSet({
      create: {
        c: { name: "Sub", parentId: team },
        top: { name: "Top", parentId: null },
        role: { name: "Junkish", parentId: team, role: "junk" },
      },
    });
    assert.equal(setErrorOf(made, "notCreated", "top"), "forbidden", "only bob creates at the top");
    assert.equal(setErrorOf(made, "notCreated", "role"), "forbidden", "roles are bob's");
    const sub = ((made.created as Record<string, Obj>).c as Obj).id as string;
    assert.deepEqual(
      (await bobImap.list()).map((m) => m.path).filter((path) => path.startsWith("Team")),
      ["Team", "Team/Sub"],
      "bob sees the new folder over IMAP",
    );
    const subRights = (
      await alice.one("Mailbox/get", { accountId: bobAccount, ids: [sub], properties: ["myRights"] })
    ).list as Obj[];
    assert.equal(
      (subRights[0] as Obj).myRights && ((subRights[0] as Obj).myRights as Obj).mayCreateChild,
      true,
      "it inherited Team's ACL",
    );

    // Rename needs x on the mailbox (Team/Sub inherited it), a move k on the new parent; destroy x.
    const renamed = await mailboxSet({ update: { [sub]: { name: "Renamed" } } });
    assert.deepEqual(renamed.updated, { [sub]: null });
    const toTop = await mailboxSet({ update: { [sub]: { parentId: null } } });
    assert.equal(setErrorOf(toTop, "notUpdated", sub), "forbidden");
    const hidden = await mailboxSet({ update: { nope: { name: "x" } }, destroy: ["nope"] });
    assert.equal(setErrorOf(hidden, "notUpdated", "nope"), "notFound");
    await setAcl("lr");
    const noX = await mailboxSet({ update: { [team]: { name: "Team2" } }, destroy: [team] });
    assert.equal(setErrorOf(noX, "notUpdated", team), "forbidden", "no x right on Team");
    assert.equal(setErrorOf(noX, "notDestroyed", team), "forbidden");
    const destroyed = await mailboxSet({ destroy: [sub] });
    assert.deepEqual(destroyed.destroyed, [sub], "x on Team/Renamed, inherited when it was created");
    assert.deepEqual(
      (await bobImap.list()).map((m) => m.path).filter((path) => path.startsWith("Team")),
      ["Team"],
    );

    // Email/import: an upload to the shared account needs i somewhere; the import i on every target.
    const upload = (accountId: string) =>
      alice.fetch(`/jmap/upload/${accountId}/`, {
        method: "POST",
        body: message("Imported into Team"),
        headers: { "content-type": "message/rfc822" },
      });
    assert.equal((await upload(bobAccount)).status, 404, "no i right: no uploads to bob's account");
    await setAcl("lri");
    const uploaded = (await (await upload(bobAccount)).json()) as Obj;
    const importTo = (keywords: Obj) =>
      alice.one("Email/import", {
        accountId: bobAccount,
        emails: { e: { blobId: uploaded.blobId, mailboxIds: { [team]: true }, keywords } },
      });
    const imported = ((await importTo({ $seen: true })).created as Record<string, Obj>).e as Obj;
    const got = await alice.one("Email/get", {
      accountId: bobAccount,
      ids: [imported.id],
      properties: ["keywords", "subject"],
    });
    assert.deepEqual(
      (got.list as Obj[])[0],
      { id: imported.id, keywords: {}, subject: "Imported into Team" },
      "no s: $seen dropped",
    );
    await setAcl("lr");
    assert.equal(setErrorOf(await importTo({}), "notCreated", "e"), "forbidden", "no i right");

    // Downloads: an email of a shared mailbox, never one of bob's others.
    const download = (emailId: string) => alice.fetch(`/jmap/download/${bobAccount}/B${emailId}/m.eml`);
    const ok = await download(imported.id as string);
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /Subject: Imported into Team/);
    const bobsOwn = await append("Private", "Not for alice");
    assert.equal((await download(bobsOwn)).status, 404, "an email of an unshared mailbox");
    const importOwn = await alice.one("Email/import", {
      accountId: bobAccount,
      emails: { p: { blobId: `B${bobsOwn}`, mailboxIds: { [team]: true } } },
    });
    assert.equal(setErrorOf(importOwn, "notCreated", "p"), "forbidden", "checked before the blob");
    await setAcl("lri");
    const importHidden = await alice.one("Email/import", {
      accountId: bobAccount,
      emails: { p: { blobId: `B${bobsOwn}`, mailboxIds: { [team]: true } } },
    });
    assert.equal(
      setErrorOf(importHidden, "notCreated", "p"),
      "blobNotFound",
      "bob's other mail is no blob of alice's",
    );
    await setAcl("");
    assert.equal((await download(imported.id as string)).status, 404, "nothing shared any more");
  });

  it("Email/parse and Blob/copy read only the shared emails the user may read", async () => {
    await setAcl("lr");
    const shared = `B${await append("Team", "Parse me")}`;
    const hidden = `B${await append("Private", "Private parse")}`;
    const parsed = await alice.one("Email/parse", {
      accountId: bobAccount,
      blobIds: [shared, hidden],
      properties: ["subject"],
    });
    assert.deepEqual(parsed.parsed, { [shared]: { subject: "Parse me" } });
    assert.deepEqual(parsed.notFound, [hidden], "an email of an unshared mailbox is no blob of alice's");

    // Into alice's own account: her copy outlives the share.
    const copy = await alice.one("Blob/copy", {
      fromAccountId: bobAccount,
      accountId: aliceId,
      blobIds: [shared, hidden],
    });
    assert.deepEqual(copy.notCopied, { [hidden]: { type: "notFound" } });
    const mine = (copy.copied as Record<string, string>)[shared] as string;
    assert.match(mine, /^U/);

    // Into bob's account: only with an insert right there (as uploads).
    const intoBob = (blobIds: string[]) =>
      alice.call([["Blob/copy", { fromAccountId: aliceId, accountId: bobAccount, blobIds }, "c"]]);
    const refused = (await intoBob([mine]))[0] as [string, Obj, string];
    assert.deepEqual([refused[0], refused[1].type], ["error", "accountReadOnly"]);
    await setAcl("lri");
    const [, accepted] = (await intoBob([mine]))[0] as [string, Obj, string];
    const inBob = (accepted.copied as Record<string, string>)[mine] as string;
    const parsedInBob = await alice.one("Email/parse", {
      accountId: bobAccount,
      blobIds: [inBob],
      properties: ["subject"],
    });
    assert.deepEqual(parsedInBob.parsed, { [inBob]: { subject: "Parse me" } });

    await setAcl("");
    const gone = await alice.call([
      ["Email/parse", { accountId: bobAccount, blobIds: [shared] }, "p"],
      ["Blob/copy", { fromAccountId: bobAccount, accountId: aliceId, blobIds: [shared] }, "b"],
      ["Email/parse", { accountId: aliceId, blobIds: [mine], properties: ["subject"] }, "m"],
    ]);
    assert.deepEqual(
      gone.map((r) => r[1].type ?? r[1].parsed),
      ["accountNotFound", "fromAccountNotFound", { [mine]: { subject: "Parse me" } }],
    );
  });
});
