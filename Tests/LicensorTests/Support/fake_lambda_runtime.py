#!/usr/bin/env python3
"""A local stand-in for the AWS Lambda Runtime API (2018-06-01), for licensor's tests (python3 stdlib only).

Listens on 127.0.0.1 on a free port and prints "PORT <n>" as its first stdout line.

--events FILE  JSON lines {"id": request id, "body": event text, "deadline_in_ms": optional}; served in order by
               GET /2018-06-01/runtime/invocation/next with Lambda-Runtime-Aws-Request-Id,
               Lambda-Runtime-Deadline-Ms (now + deadline_in_ms, default 30 s) and Lambda-Runtime-Trace-Id.
               After the last event /next answers 500 ("container error, exit promptly"), so the loop ends.
--log FILE     JSON lines, one per call received:
                 {"kind": "response"|"error"|"init_error", "id", "body", "headers": [[name, value], ...]}
                 {"kind": "rss", "after": n, "kb": VmRSS of the client in KiB, "fds": its open descriptors}
                 {"kind": "done", "served": n, "next_times": [monotonic seconds of each /next, in order]}
--rss-after N  (repeatable) record the client's VmRSS when /next arrives after N answered invocations, and always
               after the last one. The client's pid comes from POST /_test/pid (body: the pid); with any --rss-after
               the first /next waits for it.
POST .../invocation/<id>/response answers 413 when <id> starts with "reject-" (as Lambda does for a response over
6 MB), else 202.
"""

import argparse
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"


class State:
    def __init__(self, events, log_path, rss_after):
        self.events = events
        self.next_index = 0
        self.log = open(log_path, "a", encoding="utf-8")
        self.lock = threading.Lock()
        self.rss_after = set(rss_after)
        self.pid = None
        self.pid_known = threading.Event()
        self.next_times = []
        if not rss_after:
            self.pid_known.set()

    def record(self, entry):
        with self.lock:
            self.log.write(json.dumps(entry) + "\n")
            self.log.flush()

    def record_rss(self, after):
        kb = None
        try:
            with open(f"/proc/{self.pid}/status", encoding="utf-8") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        kb = int(line.split()[1])
        except (OSError, TypeError, ValueError):
            pass
        try:
            fds = len(os.listdir(f"/proc/{self.pid}/fd"))
        except OSError:
            fds = None
        self.record({"kind": "rss", "after": after, "kb": kb, "fds": fds})


STATE = None


class Handler(BaseHTTPRequestHandler):
    # Keep-alive, as the real Runtime API allows: the client's connection cache is part of what is measured.
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in two writes; without this, Nagle holds the body for the client's delayed ACK.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        if self.path != PREFIX + "/invocation/next":
            return self.answer(404, b"{}")
        STATE.pid_known.wait(30)
        with STATE.lock:
            index = STATE.next_index
            STATE.next_index += 1
            STATE.next_times.append(time.monotonic())
        if index in STATE.rss_after or index == len(STATE.events):
            STATE.record_rss(index)
        if index >= len(STATE.events):
            STATE.record({"kind": "done", "served": len(STATE.events), "next_times": STATE.next_times})
            body = json.dumps({"errorMessage": "no more events", "errorType": "Fake.Done"}).encode()
            return self.answer(500, body, [("Content-Type", "application/json")])
        event = STATE.events[index]
        deadline = int(time.time() * 1000) + int(event.get("deadline_in_ms", 30000))
        self.answer(
            200,
            event["body"].encode(),
            [
                ("Content-Type", "application/json"),
                ("Lambda-Runtime-Aws-Request-Id", event["id"]),
                ("Lambda-Runtime-Deadline-Ms", str(deadline)),
                ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:licensor"),
                ("Lambda-Runtime-Trace-Id", "Root=1-5e1b4151-5ac6c58f5b5daa6532e4b3b2;Sampled=0"),
            ],
        )

    def do_POST(self):
        body = self.read_body()
        if self.path == "/_test/pid":
            STATE.pid = int(body)
            STATE.pid_known.set()
            return self.answer(204)
        headers = [[name, value] for name, value in self.headers.items()]
        text = body.decode("utf-8", "replace")
        if self.path == PREFIX + "/init/error":
            STATE.record({"kind": "init_error", "id": None, "body": text, "headers": headers})
            return self.answer(202, b'{"status":"OK"}')
        parts = self.path[len(PREFIX):].split("/")
        # ["", "invocation", id, "response" | "error"]
        if self.path.startswith(PREFIX + "/invocation/") and len(parts) == 4 and parts[3] in ("response", "error"):
            request_id = parts[2]
            STATE.record({"kind": parts[3], "id": request_id, "body": text, "headers": headers})
            if parts[3] == "response" and request_id.startswith("reject-"):
                body = json.dumps({"errorMessage": "Response payload size exceeded", "errorType": "Function.ResponseSizeTooLarge"})
                return self.answer(413, body.encode(), [("Content-Type", "application/json")])
            return self.answer(202, b'{"status":"OK"}')
        self.answer(404, b"{}")


def main():
    global STATE
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--rss-after", type=int, action="append", default=[])
    args = parser.parse_args()
    with open(args.events, encoding="utf-8") as f:
        events = [json.loads(line) for line in f if line.strip()]
    STATE = State(events, args.log, args.rss_after)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    sys.stdout.close()
    server.serve_forever()


if __name__ == "__main__":
    main()
