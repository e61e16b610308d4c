#!/usr/bin/env python3
"""Signs a recorded event the way its storefront signs a delivery and prints the canonical JSON envelope.

usage: scripts/sign-event.py SOURCE FILE SECRET   (SOURCE: stripe, lemonsqueezy, paddle, polar)
The body is the file's exact bytes; the signature is made with the current time, so the envelope is fresh.
Independent of licensor's own code: Python's hmac, as each storefront's SDK does it.
"""
import base64
import hashlib
import hmac
import json
import sys
import time


def main():
    source, path, secret = sys.argv[1:4]
    body = open(path, "rb").read()
    now = str(int(time.time()))
    key = secret.encode()
    if source == "stripe":
        headers = {"Stripe-Signature": f"t={now},v1=" + hmac.new(key, now.encode() + b"." + body, hashlib.sha256).hexdigest()}
    elif source == "lemonsqueezy":
        headers = {"X-Event-Name": json.loads(body)["meta"]["event_name"],
                   "X-Signature": hmac.new(key, body, hashlib.sha256).hexdigest()}
    elif source == "paddle":
        headers = {"Paddle-Signature": f"ts={now};h1=" + hmac.new(key, now.encode() + b":" + body, hashlib.sha256).hexdigest()}
    elif source == "polar":
        event_id = "msg_" + hashlib.sha256(body).hexdigest()[:16]
        mac = hmac.new(key, f"{event_id}.{now}.".encode() + body, hashlib.sha256).digest()
        headers = {"webhook-id": event_id, "webhook-timestamp": now,
                   "webhook-signature": "v1," + base64.b64encode(mac).decode()}
    else:
        sys.exit(f"unknown source {source}")
    headers["Content-Type"] = "application/json"
    print(json.dumps({"method": "POST", "path": f"/webhooks/{source}", "headers": headers,
                      "body": body.decode("utf-8")}))


if __name__ == "__main__":
    main()
