#!/usr/bin/env bash
# Writes the fuzzers' seed corpora into DIR/<target>/ from the recorded events, the products file and tokens made by
# the fuzz binary itself (signed with its fixed key), so no binary corpus is committed.
# Usage: scripts/fuzz-seeds.sh DIR FUZZ_BINARY
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/fuzz-seeds.sh DIR FUZZ_BINARY}
binary=${2:?usage: scripts/fuzz-seeds.sh DIR FUZZ_BINARY}
mkdir -p "$out"/{json,envelope,form,webhook-json,products,token,lease,http}

python3 - "$out" <<'PY'
import base64, glob, hashlib, json, os, sys
from urllib.parse import parse_qsl

out = sys.argv[1]
def put(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data)

# The signed storefronts' folders hold bodies (signed at delivery time): seeds for the JSON parsers.
for path in sorted(glob.glob("events/*/*.json")):
    if path.startswith("events/gumroad/"):
        continue
    name = path.split("/")[1] + "-" + os.path.splitext(os.path.basename(path))[0]
    raw = open(path, "rb").read()
    put("json", name, raw)
    put("webhook-json", name, raw)

for path in sorted(glob.glob("events/gumroad/*.json")):
    name = os.path.splitext(os.path.basename(path))[0]
    raw = open(path, "rb").read()
    put("json", name, raw)
    put("envelope", name, raw)
    event = json.loads(raw)
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    put("form", name, body)
    headers = event.get("headers") or {}
    query = event.get("query") or ""
    # The same request as raw HTTP/1.1, with a Content-Length and a chunked body.
    target = event["path"] + ("?" + query if isinstance(query, str) and query else "")
    head = f"{event['method']} {target} HTTP/1.1\r\nHost: example.com\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items())
    put("http", name, f"{head}Content-Length: {len(body.encode())}\r\n\r\n{body}")
    chunked = "".join(f"{len(part.encode()):x}\r\n{part}\r\n" for part in (body[:10], body[10:]) if part)
    put("http", name + "-chunked", f"{head}Transfer-Encoding: chunked\r\n\r\n{chunked}0\r\n\r\n")
    # The same request in the API Gateway shapes, so detection and both decoders start from real requests.
    put("envelope", name + "-apigw1", json.dumps({
        "httpMethod": event["method"], "path": event["path"], "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": dict(parse_qsl(query)) if isinstance(query, str) else query,
        "body": base64.b64encode(body.encode()).decode(), "isBase64Encoded": True}))
    put("envelope", name + "-apigw2", json.dumps({
        "version": "2.0", "rawPath": event["path"], "rawQueryString": query if isinstance(query, str) else "",
        "headers": {k.lower(): v for k, v in headers.items()}, "cookies": ["a=b"],
        "requestContext": {"http": {"method": event["method"], "path": event["path"]}},
        "body": body, "isBase64Encoded": False}))
    # The form as a JSON body, nested like the JSON webhooks the payload decoder also accepts.
    try:
        fields = parse_qsl(body, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        continue
    document = {}
    for key, value in fields:
        if key.endswith("[]"):
            document.setdefault(key[:-2], []).append(value)
        elif "[" in key and key.endswith("]"):
            outer, inner = key[:-1].split("[", 1)
            if isinstance(document.get(outer, {}), dict):
                document.setdefault(outer, {})[inner] = value
        else:
            document[key] = int(value) if value.isdigit() and len(value) < 10 else value
    put("webhook-json", name, json.dumps(document))
    put("json", name + "-body", json.dumps(document))

put("products", "products", open("config/products.yaml", "rb").read())
put("products", "products-utf16", b"\xff\xfe" + open("config/products.yaml", "rb").read().decode().encode("utf-16-le"))

# License claims as raw payloads: the token target signs inputs that are not token text.
claims = {"iss": "licensor", "sub": "ABCD-EFGH-JKLM-NPQR", "product": "demo-product-id", "product_name": "Acme Pro",
          "tier": "pro", "name": "Jane Doe", "email": "jane@example.com", "iat": "2026-11-28T19:38:56Z",
          "exp": "2027-11-28T19:38:56+01:00"}
put("token", "claims", json.dumps(claims))
put("token", "claims-fraction", json.dumps(dict(claims, iat="2026-11-28T19:38:56.123456Z", exp="9999-12-31T23:59:59Z")))
# Lease claims as raw payloads (the lease target signs them for its machine), and licensor's own vectors as tokens.
lease = {"iss": "licensor", "typ": "licensor.lease.v1", "sub": "ABCD-EFGH-JKLM-NPQR", "product": "demo-product-id",
         "tier": "pro", "instance": "inst-1", "fp": "", "iat": "2026-11-28T19:38:56Z",
         "exp": "2026-12-05T19:38:56Z", "lic_exp": "2027-11-28T19:38:56Z", "nonce": "n-1"}
# fp commits to the fuzz target's fingerprint (docs/TOKENS.md), so this payload verifies and reaches the round trip.
lease["fp"] = base64.urlsafe_b64encode(hashlib.sha256(
    b"licensor.lease.v1.fp\0" + lease["sub"].encode() + b"\0fuzz-machine").digest()[:8]).rstrip(b"=").decode()
put("lease", "claims", json.dumps(lease))
for i, vector in enumerate(json.load(open("docs/token-vectors.json"))["vectors"]):
    put("lease" if vector["kind"] == "lease" else "token", f"licensor-vector-{i}", vector["token"])
vectors = json.load(open("Tests/LicensorTests/Resources/paseto-v4-public-vectors.json"))
for i, test in enumerate(vectors["tests"]):
    if test.get("token"):
        put("token", f"vector-{i}", test["token"])
PY
LICENSOR_FUZZ_WRITE_TOKENS="$out/token" "$binary"
