#!/usr/bin/env python3
# Regenerates the golden ENVELOPE/BODYSTRUCTURE/BODY and section texts of test/fixtures/messages/*.json from a
# real Dovecot (the reference IMAP clients are tuned to). Usage: start a throwaway Dovecot on 127.0.0.1 that
# accepts any password (static passdb, Maildir under /tmp), then: python3 scripts/mime-goldens-dovecot.py [port] [name...]
# Each fixture's JSON keeps its "sectionNames" and "note". Where we deliberately deviate from Dovecot
# ("deviation": true in the JSON), Dovecot's answer is stored under "dovecot" and the expectations are left alone.
# Strings are re-rendered in our canonical form (quoted when safe, else a literal) so tests compare exactly.
import base64, imaplib, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "test", "fixtures", "messages")


def tokenize(data):
    """Parses an IMAP response body into nested lists of ('atom', str) / ('string', bytes)."""
    pos = 0
    stack = [[]]
    n = len(data)
    while pos < n:
        c = data[pos:pos + 1]
        if c in (b" ", b"\r", b"\n"):
            pos += 1
        elif c == b"(":
            stack.append([])
            pos += 1
        elif c == b")":
            done = stack.pop()
            stack[-1].append(done)
            pos += 1
        elif c == b'"':
            pos += 1
            out = bytearray()
            while data[pos:pos + 1] != b'"':
                if data[pos:pos + 1] == b"\\":
                    pos += 1
                out += data[pos:pos + 1]
                pos += 1
            pos += 1
            stack[-1].append(("string", bytes(out)))
        elif c == b"{":
            close = data.index(b"}", pos)
            size = int(data[pos + 1:close])
            start = close + 3
            stack[-1].append(("string", data[start:start + size]))
            pos = start + size
        else:
            end = pos
            while end < n and data[end:end + 1] not in (b" ", b"(", b")", b"\r", b"\n"):
                if data[end:end + 1] == b"[":
                    end = data.index(b"]", end)
                end += 1
            stack[-1].append(("atom", data[pos:end].decode()))
            pos = end
    return stack[0]


def as_text(raw):
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def render(node):
    if isinstance(node, list):
        return "(" + " ".join(render(x) for x in node).replace(") (", ")(") + ")"
    kind, value = node
    if kind == "atom":
        return value
    text = as_text(value).replace("\0", "")
    if all(0 < ord(ch) < 0x7F and ch not in "\r\n" for ch in text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "{%d}\r\n%s" % (len(text.encode("utf-8")), text)


def render_list_items(items):
    # Bodies of a multipart and addresses of an address list follow each other without a space
    # (RFC 9051 §9 body-type-mpart, env-from...); everywhere else items are separated by SP.
    out = ""
    all_lists = True
    for i, item in enumerate(items):
        is_list = isinstance(item, list)
        if i > 0 and not (all_lists and is_list):
            out += " "
        all_lists = all_lists and is_list
        out += render_tree(item)
    return out


def render_tree(node):
    if isinstance(node, list):
        return "(" + render_list_items(node) + ")"
    return render(node)


def fetch(port, raw, sections):
    m = imaplib.IMAP4("127.0.0.1", port)
    m.login("goldens", "pass")
    if int(m.select("INBOX")[1][0]) > 0:
        m.store("1:*", "+FLAGS", "\\Deleted")
        m.expunge()
    m.append("INBOX", None, None, raw)
    m.select("INBOX")
    items = ["ENVELOPE", "BODYSTRUCTURE", "BODY", "RFC822.SIZE"] + ["BODY.PEEK[%s]" % s for s in sections]
    typ, data = m.fetch("1", "(" + " ".join(items) + ")")
    m.logout()
    joined = b""
    for d in data:
        if isinstance(d, tuple):
            joined += d[0] + b"\r\n" + d[1]
        else:
            joined += d
    tree = tokenize(joined)
    fields = tree[1]
    result = {}
    for i in range(0, len(fields), 2):
        result[fields[i][1]] = fields[i + 1]
    return result


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 10143
    names = sys.argv[2:] or sorted(f[:-4] for f in os.listdir(FIXTURES) if f.endswith(".eml"))
    for name in names:
        raw = open(os.path.join(FIXTURES, name + ".eml"), "rb").read()
        path = os.path.join(FIXTURES, name + ".json")
        meta = json.load(open(path)) if os.path.exists(path) else {}
        sections = meta.get("sectionNames", [])
        got = fetch(port, raw, sections) if raw else None
        if got is None:
            continue
        values = {
            "envelope": render_tree(got["ENVELOPE"]),
            "bodyStructure": render_tree(got["BODYSTRUCTURE"]),
            "body": render_tree(got["BODY"]),
            "sections": {},
        }
        for s in sections:
            value = got.get("BODY[%s]" % s)
            raw_value = b"" if value is None or value[0] == "atom" else value[1]
            try:
                values["sections"][s] = raw_value.decode("utf-8")
            except UnicodeDecodeError:
                values["sections"][s] = {"base64": base64.b64encode(raw_value).decode()}
        if meta.get("deviation"):
            meta["dovecot"] = values
        else:
            meta.update(values)
        json.dump(meta, open(path, "w"), indent=2, ensure_ascii=False)
        print("ok", name)


main()
