#!/usr/bin/env python3
"""The fault scenarios behind scripts/faults.sh; each prints PASS/FAIL lines and the run ends with a count."""
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

BINARY, ROOT = os.path.abspath(sys.argv[1]), sys.argv[2]
SETTINGS = dict(line.split("=", 1) for line in open(os.path.join(ROOT, "env")).read().split())
PG_DATA = os.path.join(ROOT, "pg", "data")
PG_BIN = "/usr/lib/postgresql/15/bin"
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def pg_ctl(*args):
    subprocess.run(["runuser", "-u", "postgres", "--", f"{PG_BIN}/pg_ctl", "-D", PG_DATA, "-w", *args],
                   check=True, capture_output=True)


def pg_start():
    pg_ctl("start", "-l", os.path.join(ROOT, "pg", "postgres.log"), "-o", f"-p {SETTINGS['PG_PORT']}")


def claim_lapses():
    """Waits until an email claim held by a killed process lapses (the deadline + 5 s). Killed between the send and
    the mark (which records the send in the same commit), it left the claim and an accepted email: a replay before
    this says another delivery is still sending; after it, the replay asks the provider and sends nothing new."""
    time.sleep(9.5)


def start_postmark():
    log = os.path.join(ROOT, f"postmark-{time.time_ns()}.jsonl")
    process = subprocess.Popen(["python3", "Tests/LicensorTests/Support/fake_postmark.py", "--log", log],
                               stdout=subprocess.PIPE, text=True)
    port = int(process.stdout.readline().split()[1])
    return process, f"http://127.0.0.1:{port}", log


def emails(log):
    """The messages posted to the stand-in Postmark (its log also holds outbound-search requests)."""
    if not os.path.exists(log):
        return []
    return [r for r in map(json.loads, open(log)) if r["path"] == "/email" and r["method"] == "POST"]


def envelope(sale_id):
    body = urllib.parse.urlencode({"sale_id": sale_id, "product_id": "demo-product-id", "email": f"{sale_id}@example.com",
                                   "price": "4900", "resource_name": "sale"})
    return json.dumps({"method": "POST", "path": "/webhooks/gumroad", "query": "secret=demo-secret",
                       "headers": {"Content-Type": "application/x-www-form-urlencoded"}, "body": body})


STAND_IN = "Tests/LicensorTests/Support/fake_lambda_runtime.py"


def lambda_event(sale_id):
    """A Function URL event carrying one sale, as Lambda delivers it."""
    inner = json.loads(envelope(sale_id))
    return json.dumps({"version": "2.0", "routeKey": "$default", "rawPath": inner["path"],
                       "rawQueryString": inner["query"], "headers": {"content-type": inner["headers"]["Content-Type"]},
                       "requestContext": {"http": {"method": "POST", "path": inner["path"], "protocol": "HTTP/1.1"}},
                       "body": inner["body"], "isBase64Encoded": False})


def run_lambda(deployment, sale_ids, loops, during=None, **extra):
    """Serves the sales from the Runtime API stand-in to `loops` warm `licensor lambda` processes; returns
    {sale id: HTTP status of its answer, or None when the loop died without answering} and the loops' exit codes."""
    tag = time.time_ns()
    events, log = os.path.join(ROOT, f"lambda-{tag}.events"), os.path.join(ROOT, f"lambda-{tag}.log")
    with open(events, "w") as f:
        for sale_id in sale_ids:
            f.write(json.dumps({"id": sale_id, "body": lambda_event(sale_id), "deadline_in_ms": 4000}) + "\n")
    stand_in = subprocess.Popen(["python3", STAND_IN, "--events", events, "--log", log], stdout=subprocess.PIPE,
                                text=True)
    port = int(stand_in.stdout.readline().split()[1])
    env = {**deployment.env, **extra, "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}"}
    processes = [subprocess.Popen([BINARY, "lambda"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(loops)]
    try:
        if during:
            during()
        codes = [p.wait(timeout=120) for p in processes]
    finally:
        for p in processes:
            p.kill()
        stand_in.kill()
    answers = {}
    for record in map(json.loads, open(log)):
        if record["kind"] == "response":
            answers[record["id"]] = json.loads(record["body"])["statusCode"]
    return {sale_id: answers.get(sale_id) for sale_id in sale_ids}, codes


class Deployment:
    """One database (a fresh PostgreSQL schema) and one environment, like one seller's deployment."""

    def __init__(self, name, postmark_url, **extra):
        schema = f"faults_{name}_{os.getpid()}"
        subprocess.run(["psql", SETTINGS["DATABASE_URL"], "-qc", f"CREATE SCHEMA {schema}"], check=True)
        self.env = {"PATH": "/usr/bin:/bin", "GUMROAD_WEBHOOK_SECRET": "demo-secret",
                    "DATABASE_URL": SETTINGS["DATABASE_URL"] + f"?options=-csearch_path%3D{schema}",
                    "PRODUCTS_FILE": "config/products.yaml", "EMAIL_TEMPLATES_DIR": "config", "LOG_LEVEL": "error",
                    "LICENSE_SIGNING_KEY": os.path.join(ROOT, "key.pem"), "POSTMARK_TOKEN": "ok",
                    "POSTMARK_API_URL": postmark_url, "EMAIL_FROM": "shop@example.com"}
        self.env.update(extra)
        if not os.path.exists(self.env["LICENSE_SIGNING_KEY"]):
            subprocess.run([BINARY, "keygen", "--out", self.env["LICENSE_SIGNING_KEY"]], check=True, capture_output=True)
        self.run("migrate")

    def send(self, sale_id, **extra):
        """Returns (HTTP status or None when the process died, body, seconds)."""
        start = time.monotonic()
        result = subprocess.run([BINARY], input=envelope(sale_id), env={**self.env, **extra}, capture_output=True,
                                text=True)
        elapsed = time.monotonic() - start
        if result.returncode != 0 or not result.stdout:
            return None, None, elapsed
        response = json.loads(result.stdout)
        return response["statusCode"], json.loads(response["body"]), elapsed

    def run(self, *args, **extra):
        return subprocess.run([BINARY, *args], env={**self.env, **extra}, capture_output=True, text=True)

    def sql(self, query):
        out = subprocess.run(["psql", self.env["DATABASE_URL"], "-qAtc", query], check=True, capture_output=True,
                             text=True)
        return out.stdout.strip()


def one_license_each(deployment, sale_ids):
    counts = deployment.sql("SELECT source_order_id || ' ' || count(*) FROM licenses GROUP BY source_order_id")
    found = dict(line.split() for line in counts.splitlines() if line)
    return all(found.get(s) == "1" for s in sale_ids), f"{len(found)} orders licensed of {len(sale_ids)}"


postmark, postmark_url, postmark_log = start_postmark()
try:
    # 1. PostgreSQL stopped: 503 (Gumroad retries) or, with a spool folder, 200 and nothing lost after replay.
    spool = os.path.join(ROOT, "spool")
    os.mkdir(spool)
    stopped = Deployment("stopped", postmark_url)
    pg_ctl("stop", "-m", "fast")
    status, _, elapsed = stopped.send("STOPPED-1")
    check("PostgreSQL stopped: 503 without a spool", status == 503, f"got {status}")
    check("PostgreSQL stopped: answered inside the deadline", elapsed < 4.5, f"{elapsed:.2f}s")
    status, body, _ = stopped.send("STOPPED-2", LICENSOR_SPOOL_DIR=spool)
    check("PostgreSQL stopped: spooled and acknowledged", status == 200 and body["status"] == "spooled", f"{body}")
    pg_start()
    retried = stopped.send("STOPPED-1")  # Gumroad's retry of the 503
    ingest = stopped.run("replay", "--spool", LICENSOR_SPOOL_DIR=spool)
    check("restart + replay --spool", ingest.returncode == 0 and retried[0] == 200, ingest.stdout + ingest.stderr)
    ok, detail = one_license_each(stopped, ["STOPPED-1", "STOPPED-2"])
    check("PostgreSQL stopped: nothing lost", ok and not os.listdir(spool), detail)

    # 2. PostgreSQL killed in the middle of a burst; Gumroad retries the 5xx answers, the operator replays.
    burst = Deployment("burst", postmark_url, LICENSOR_SPOOL_DIR=spool)
    sale_ids = [f"BURST-{i}" for i in range(120)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(burst.send, sale_id) for sale_id in sale_ids]
        time.sleep(1.5)
        pg_ctl("stop", "-m", "immediate")
        results = [f.result() for f in futures]
    pg_start()
    statuses = [r[0] for r in results]
    check("killed mid-burst: only 200 or 503 answers, no crash", set(statuses) <= {200, 503},
          f"{ {s: statuses.count(s) for s in set(statuses)} }")
    for sale_id, (status, _, _) in zip(sale_ids, results):
        if status == 503:
            burst.send(sale_id)
    burst.run("replay", "--spool")
    burst.run("replay", "--all-failed")
    # A delivery killed while it held an email claim keeps it until the claim lifetime (deadline + 5 s) passes;
    # the operator's second replay after that sends those emails.
    time.sleep(9.5)
    replayed = burst.run("replay", "--all-failed")
    ok, detail = one_license_each(burst, sale_ids)
    if not ok:
        licensed = set(burst.sql("SELECT source_order_id FROM licenses").split())
        for sale_id, result in zip(sale_ids, results):
            if sale_id not in licensed:
                print("  unlicensed", sale_id, result, burst.sql(
                    f"SELECT id, processed, error FROM gumroad_events WHERE order_id = '{sale_id}'"))
    check("killed mid-burst: after retries and replay, one license per sale", ok, detail + replayed.stdout[-300:])
    sent = [json.loads(r["body"])["Metadata"]["order_id"] for r in emails(postmark_log)]
    wrong = {s: sent.count(s) for s in sale_ids if sent.count(s) != 1}
    check("killed mid-burst: one email per sale", not wrong, f"emails per sale where not 1: {wrong} " + "; ".join(
        burst.sql(f"SELECT email_sent_at || ' ' || coalesce(email_error, '') FROM licenses WHERE source_order_id = '{s}'")
        for s in wrong))

    # 3. Postmark stalling or failing: answered in time, licenses kept, replay delivers once.
    for token in ["stall", "boom"]:
        slow = Deployment(f"postmark_{token}", postmark_url, POSTMARK_TOKEN=token, LICENSOR_DEADLINE_MS="1500")
        ids = [f"PM-{token}-{i}" for i in range(6)]
        results = [slow.send(i) for i in ids]
        check(f"Postmark {token}: every answer 200 inside the deadline",
              all(r[0] == 200 and r[2] < 2.5 for r in results), f"{[(r[0], round(r[2], 2)) for r in results]}")
        check(f"Postmark {token}: licenses kept", one_license_each(slow, ids)[0])
        before = len(emails(postmark_log))
        replay = slow.run("replay", "--all-failed", POSTMARK_TOKEN="ok")
        delivered = [json.loads(r["body"])["Metadata"]["order_id"] for r in emails(postmark_log)[before:]]
        check(f"Postmark {token}: replay delivers each once", replay.returncode == 0 and sorted(delivered) == sorted(ids),
              replay.stdout[-300:])

    # 4. SIGKILL before each step: no answer, then replay leaves exactly one license and one email.
    for point in ["before-parse", "before-map", "before-mint", "before-email", "before-mark"]:
        killed = Deployment(point.replace("-", "_"), postmark_url)
        sale = f"KILL-{point}"
        status, _, _ = killed.send(sale, LICENSOR_FAULT_POINT=point)
        before = len(emails(postmark_log))
        if point == "before-mark":
            claim_lapses()
        replay = killed.run("replay", "--all-failed")
        again = killed.run("replay", "--all-failed")
        delivered = [json.loads(r["body"])["Metadata"]["order_id"] for r in emails(postmark_log)[before:]]
        ok, detail = one_license_each(killed, [sale])
        expected_emails = 0 if point == "before-mark" else 1
        check(f"SIGKILL {point}: killed, then one license and one email after replay",
              status is None and replay.returncode == 0 and again.returncode == 0 and ok
              and delivered.count(sale) == expected_emails
              and len([e for e in emails(postmark_log) if json.loads(e["body"])["Metadata"]["order_id"] == sale]) == 1,
              f"status={status} {detail} replay={replay.stdout.strip()[-200:]}")
    # 5. The same faults in Lambda mode: warm loops keep their connection, so a PostgreSQL restart must cost only
    #    the invocations in flight, and a loop killed mid-invocation must lose nothing after replay.
    warm = Deployment("lambda_burst", postmark_url)
    sale_ids = [f"LAMBDA-{i}" for i in range(2400)]

    def restart_postgres():
        time.sleep(0.4)
        pg_ctl("stop", "-m", "immediate")
        time.sleep(0.5)
        pg_start()

    answers, codes = run_lambda(warm, sale_ids, loops=4, during=restart_postgres)
    statuses = list(answers.values())
    print(f"  Lambda burst of {len(sale_ids)} over 4 loops: answers { {s: statuses.count(s) for s in set(statuses)} }")
    # A loop ends when the stand-in's /next says there is nothing more (exit status 1, as after any Runtime API
    # error); a negative status would be a crash.
    check("Lambda mode, PostgreSQL killed mid-run: every invocation answered 200 or 503, no loop crashed",
          set(statuses) <= {200, 503} and 503 in statuses and all(c >= 0 for c in codes),
          f"{ {s: statuses.count(s) for s in set(statuses)} } exit codes {codes}")
    check("Lambda mode, PostgreSQL killed mid-run: the loops recovered (later invocations 200)",
          all(answers[s] == 200 for s in sale_ids[-20:]), f"last 20: {[answers[s] for s in sale_ids[-20:]]}")
    for sale_id, status in answers.items():
        if status != 200:
            warm.send(sale_id)  # the storefront's retry
    warm.run("replay", "--all-failed")
    claim_lapses()
    warm.run("replay", "--all-failed")
    ok, detail = one_license_each(warm, sale_ids)
    check("Lambda mode, PostgreSQL killed mid-run: one license per sale after retries and replay", ok, detail)
    sent = [json.loads(r["body"])["Metadata"]["order_id"] for r in emails(postmark_log)]
    wrong = {s: sent.count(s) for s in sale_ids if sent.count(s) != 1}
    check("Lambda mode, PostgreSQL killed mid-run: one email per sale", not wrong, f"{wrong}")

    for point in ["before-parse", "before-mint", "before-email", "before-mark"]:
        killed = Deployment("lambda_" + point.replace("-", "_"), postmark_url)
        sale = f"LAMBDA-KILL-{point}"
        answers, codes = run_lambda(killed, [sale], loops=1, LICENSOR_FAULT_POINT=point)
        before = len(emails(postmark_log))
        if point == "before-mark":
            claim_lapses()
        replay = killed.run("replay", "--all-failed")
        delivered = [json.loads(r["body"])["Metadata"]["order_id"] for r in emails(postmark_log)[before:]]
        ok, detail = one_license_each(killed, [sale])
        total = len([e for e in emails(postmark_log) if json.loads(e["body"])["Metadata"]["order_id"] == sale])
        check(f"Lambda mode, SIGKILL {point}: no answer, then one license and one email after replay",
              answers[sale] is None and codes[0] != 0 and replay.returncode == 0 and ok and total == 1
              and delivered.count(sale) == (0 if point == "before-mark" else 1),
              f"answer={answers[sale]} codes={codes} {detail} replay={replay.stdout.strip()[-200:]}")
finally:
    postmark.kill()

print(f"faults: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
