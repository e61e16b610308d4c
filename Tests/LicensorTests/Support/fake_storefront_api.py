#!/usr/bin/env python3
"""A local stand-in for the Stripe and Paddle REST APIs, for licensor's tests (python3 standard library only).

Listens on 127.0.0.1 on a free port and prints "PORT <n>" first. Requests need "Authorization: Bearer good-key"
(else 401). Answers:
  GET /v1/checkout/sessions/<id>/line_items   Stripe line items: cs_test_lineitems -> price_1AcmeLines
  GET /customers/<id>                          Paddle customer: ctm_stall never answers, ctm_fail answers 500
Every request is appended to --log as one JSON line {method, path}.
"""

import argparse
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LINE_ITEMS = {
    "cs_test_lineitems": [{"id": "li_1", "object": "item", "description": "Acme Team", "quantity": 1,
                           "price": {"id": "price_1AcmeLines", "object": "price", "product": "prod_AcmeTeam"}}],
}
CUSTOMERS = {
    "ctm_01buyer0001": ("paddle.buyer@example.com", "Pat Paddle"),
    "ctm_01buyer0003": ("yen.paddle@example.com", "Yoko Paddle"),
    "ctm_01buyer0004": ("sub.paddle@example.com", "Sam Paddle"),
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, document):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with open(self.server.log, "a") as log:
            log.write(json.dumps({"method": "GET", "path": self.path}) + "\n")
        if self.headers.get("Authorization") != "Bearer good-key":
            return self.answer(401, {"error": {"message": "Invalid API Key provided"}})
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) == 5 and parts[:3] == ["v1", "checkout", "sessions"] and parts[4] == "line_items":
            items = LINE_ITEMS.get(parts[3])
            if items is None:
                return self.answer(404, {"error": {"message": "No such checkout session"}})
            return self.answer(200, {"object": "list", "data": items, "has_more": False})
        if len(parts) == 2 and parts[0] == "customers":
            if parts[1] == "ctm_stall":
                time.sleep(30)
            if parts[1] == "ctm_fail":
                return self.answer(500, {"error": {"type": "api_error"}})
            found = CUSTOMERS.get(parts[1])
            if found is None:
                return self.answer(404, {"error": {"type": "request_error", "code": "not_found"}})
            return self.answer(200, {"data": {"id": parts[1], "email": found[0], "name": found[1], "status": "active"}})
        return self.answer(404, {"error": "not found"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    arguments = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.log = arguments.log
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
