#!/usr/bin/env python3
"""A local stand-in for the Postmark email API, for licensor's tests (python3 standard library only).

Listens on 127.0.0.1 on a free port and prints "PORT <n>" as its first stdout line. Every request is appended
as one JSON line {method, path, headers: [[name, value], ...], body} to the --log file before it is answered.

POST /email behaves according to the X-Postmark-Server-Token header:
  ok          200, ErrorCode 0, MessageID OK_MESSAGE_ID
  slow-ok     like ok, after 0.5 s
  accepted-delayed  200, ErrorCode 0, "Message accepted, but delivery may be delayed."
  bad-token   401, ErrorCode 10
  inactive    422, ErrorCode 406 "... Found inactive addresses: a@b.c ..."
  invalid     422, ErrorCode 300
  pending     422, ErrorCode 412 (account pending approval)
  ratelimit   429, ErrorCode 429
  boom        500, plain text
  maintenance 503, ErrorCode 100
  notjson     200, an HTML page
  no-code     200, JSON without ErrorCode
  waf         403, an HTML page (a network filter, not Postmark)
  redirect    302 to another host (must not be followed)
  big         200, 100 KB of JSON padding
  stall       reads the request, never answers (sleeps 30 s)
  anything else: 401, ErrorCode 10

Other paths, for the HTTP client tests:
  GET /bytes/<n>    n bytes of "x" with Content-Length
  GET /chunked/<n>  n bytes of "x", chunked, no Content-Length
  GET /headers      mixed-case and repeated response headers
  GET /slow/<ms>    "done" after <ms> milliseconds
  GET /redirect     302 with a Location header
  * /echo           200, echoes method and body
With --tls-cert/--tls-key the server speaks HTTPS with that (self-signed) certificate instead.
"""

import argparse
import json
import socket
import urllib.parse
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OK_MESSAGE_ID = "0a129aee-e1cd-480d-b08d-4f48548ff48d"

ACCEPTED = []  # messages answered with success, for the outbound search
LOG_LOCK = threading.Lock()
LOG_PATH = None


def postmark_json(error_code, message, **extra):
    body = {"ErrorCode": error_code, "Message": message}
    body.update(extra)
    return json.dumps(body).encode("utf-8")


def success(message="OK"):
    return postmark_json(
        0, message, To="a@b.c", SubmittedAt="2014-02-17T07:25:01.4178645-05:00", MessageID=OK_MESSAGE_ID
    )


JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"

SCENARIOS = {
    "ok": (200, JSON, success()),
    "accepted-delayed": (200, JSON, success("Message accepted, but delivery may be delayed.")),
    "bad-token": (401, JSON, postmark_json(10, "Request does not contain a valid Server token.")),
    "inactive": (
        422,
        JSON,
        postmark_json(
            406,
            "You tried to send to recipient(s) that have been marked as inactive.\n"
            "Found inactive addresses: a@b.c.\nInactive recipients are ones that have generated a hard bounce, "
            "a spam complaint, or a manual suppression.",
        ),
    ),
    "invalid": (422, JSON, postmark_json(300, "Invalid 'From' address: 'nobody'.")),
    "pending": (422, JSON, postmark_json(412, "Your account is pending approval.")),
    "ratelimit": (429, JSON, postmark_json(429, "Rate limit exceeded.")),
    "boom": (500, "text/plain", b"Internal Server Error"),
    "maintenance": (503, JSON, postmark_json(100, "Maintenance")),
    "notjson": (200, HTML, b"<html><body>Hello from a captive portal</body></html>"),
    "no-code": (200, JSON, json.dumps({"Message": "OK", "MessageID": OK_MESSAGE_ID}).encode()),
    "waf": (403, HTML, b"<html><body>Request blocked</body></html>"),
    "big": (200, JSON, json.dumps({"ErrorCode": 0, "Message": "OK", "Pad": "x" * 100_000}).encode()),
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-postmark"

    def setup(self):
        super().setup()
        # Headers and body go out in two writes; on a kept-alive connection Nagle would hold the body for the
        # client's delayed ACK.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _record(self, body):
        entry = {
            "method": self.command,
            "path": self.path,
            "headers": [[name, value] for name, value in self.headers.items()],
            "body": body.decode("utf-8", errors="replace"),
            "client_port": self.client_address[1],
        }
        with LOG_LOCK:
            with open(LOG_PATH, "a", encoding="utf-8") as log:
                log.write(json.dumps(entry) + "\n")
                log.flush()

    def _send(self, status, content_type, body, extra_headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def _handle(self):
        body = self._read_body()
        self._record(body)
        path = self.path
        if path == "/email" and self.command == "POST":
            self._postmark(self.headers.get("X-Postmark-Server-Token", ""), body)
        elif path.startswith("/messages/outbound") and self.command == "GET":
            self._search(path)
        elif path.startswith("/bytes/"):
            self._send(200, "text/plain", b"x" * int(path.split("/")[2]))
        elif path.startswith("/chunked/"):
            self._chunked(int(path.split("/")[2]))
        elif path == "/headers":
            self._send(
                200,
                "text/plain",
                b"headers",
                [("X-Mixed-Case", "Value One"), ("x-lower", "two"), ("X-Repeated", "first"), ("X-Repeated", "second")],
            )
        elif path.startswith("/slow/"):
            time.sleep(int(path.split("/")[2]) / 1000)
            self._send(200, "text/plain", b"done")
        elif path == "/redirect":
            self._send(302, "text/plain", b"moved", [("Location", "http://127.0.0.1:1/elsewhere")])
        elif path == "/echo":
            self._send(200, "application/octet-stream", self.command.encode() + b" " + body)
        else:
            self._send(404, "text/plain", b"not found")

    def _search(self, path):
        """Postmark's outbound-message search, filtered by metadata_KEY=VALUE like the real one."""
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        wanted = {k[len("metadata_"):]: v[0] for k, v in query.items() if k.startswith("metadata_")}
        with LOG_LOCK:
            found = [m for m in ACCEPTED if all(m["metadata"].get(k) == v for k, v in wanted.items())]
        messages = [{"MessageID": m["id"], "Metadata": m["metadata"]} for m in found]
        self._send(200, JSON, json.dumps({"TotalCount": len(messages), "Messages": messages[:1]}).encode())

    def _postmark(self, token, body=b""):
        if token in ("ok", "slow-ok", "accepted-delayed"):
            try:
                metadata = json.loads(body or b"{}").get("Metadata") or {}
            except ValueError:
                metadata = {}
            with LOG_LOCK:
                ACCEPTED.append({"id": f"accepted-{len(ACCEPTED) + 1}", "metadata": metadata})
        if token == "stall":
            time.sleep(30)
            self.close_connection = True
            return
        if token == "slow-ok":
            time.sleep(0.5)
            token = "ok"
        if token == "redirect":
            self._send(302, HTML, b"", [("Location", "https://example.invalid/email")])
            return
        status, content_type, body = SCENARIOS.get(token, SCENARIOS["bad-token"])
        self._send(status, content_type, body)

    def _chunked(self, count):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        remaining = count
        while remaining > 0:
            piece = min(remaining, 16_384)
            self.wfile.write(b"%x\r\n" % piece + b"x" * piece + b"\r\n")
            remaining -= piece
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    do_GET = _handle
    do_POST = _handle
    do_PUT = _handle
    do_DELETE = _handle
    do_HEAD = _handle


def main():
    global LOG_PATH
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--log", required=True, help="file to append one JSON line per request to")
    parser.add_argument("--tls-cert", help="PEM certificate; serve HTTPS")
    parser.add_argument("--tls-key", help="PEM private key for --tls-cert")
    args = parser.parse_args()
    LOG_PATH = args.log

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
