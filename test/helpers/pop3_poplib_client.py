# Test support: drives Python's poplib against the POP3 server and prints the results as JSON.
# Usage: python3 pop3_poplib_client.py '<json>' with {"port", "mode": "plain"|"stls"|"ssl", "user",
# "password", "cafile", "actions": [["stat"], ["retr", 1], ...]}. Bodies come back as sha256 + length.
import hashlib
import json
import poplib
import ssl
import sys

spec = json.loads(sys.argv[1])
context = ssl.create_default_context(cafile=spec.get("cafile"))
context.check_hostname = False
if spec["mode"] == "ssl":
    client = poplib.POP3_SSL("127.0.0.1", spec["port"], context=context, timeout=30)
else:
    client = poplib.POP3("127.0.0.1", spec["port"], timeout=30)
out = {"welcome": client.getwelcome().decode("latin1")}
if spec["mode"] == "stls":
    out["stls"] = client.stls(context=context).decode("latin1")
out["capa"] = {k: v for k, v in client.capa().items()}
client.user(spec["user"])
out["login"] = client.pass_(spec["password"]).decode("latin1")


def body(lines):
    data = b"".join(line + b"\r\n" for line in lines)
    return {"sha256": hashlib.sha256(data).hexdigest(), "length": len(data), "text": data[:400].decode("latin1")}


results = []
for action in spec["actions"]:
    name, args = action[0], action[1:]
    if name in ("retr", "top"):
        status, lines, _ = getattr(client, name)(*args)
        results.append({"status": status.decode("latin1"), **body(lines)})
    elif name in ("list", "uidl") and not args:
        status, lines, _ = getattr(client, name)()
        results.append({"status": status.decode("latin1"), "lines": [l.decode("latin1") for l in lines]})
    elif name == "stat":
        results.append(list(client.stat()))
    elif name == "quit":
        results.append(client.quit().decode("latin1"))
    else:
        try:
            results.append(getattr(client, name)(*args).decode("latin1"))
        except poplib.error_proto as error:
            results.append("error: " + error.args[0].decode("latin1"))
out["results"] = results
print(json.dumps(out))
