#!/usr/bin/env python3
"""Measures licensor invocations against floors measured in the same run; see scripts/bench.

Each sample is one process started the way a runner starts it (stdin from a file, stdout/stderr to /dev/null) by a
small C launcher (bench-floors/measure.c), timed with a monotonic clock around fork/exec/wait; peak RSS comes from
the kernel's rusage of that child. The rows are measured in slices taken in turn, so the floors and the
invocations see the same machine.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor


MEASURE = None  # the C launcher, set in main()


ROUNDS = 10  # each row is measured in this many slices, taken in turn with the other rows


def sample(argv, env, inputs):
    """Runs the command once per input (in order) and returns (wall ms, peak RSS KiB) per run."""
    listing = inputs[0] + ".list"
    with open(listing, "w") as f:
        f.write("\n".join(inputs) + "\n")
    out = subprocess.run([MEASURE, str(len(inputs)), listing] + argv, env=env, check=True, capture_output=True,
                         text=True)
    return [tuple(map(float, line.split())) for line in out.stdout.splitlines()]


def measure_interleaved(rows, runs):
    """Measures every row `runs` times, in ROUNDS slices taken in turn, so that the machine's speed drifting (it is
    shared) moves the floors and the invocations alike and the ratios stay comparable."""
    samples = {name: [] for name, *_ in rows}
    for round_index in range(ROUNDS):
        for name, argv, env, inputs in rows:
            start, end = runs * round_index // ROUNDS, runs * (round_index + 1) // ROUNDS
            # Inputs are used once each (a sale repeated would take the cheaper duplicate path); single-input rows
            # repeat theirs.
            chunk = inputs[start:end] if len(inputs) >= runs else inputs * (end - start)
            samples[name] += sample(argv, env, chunk)
    results = []
    for name, *_ in rows:
        times = sorted(ms for ms, _ in samples[name])
        results.append({"name": name, "runs": len(times), "median_ms": statistics.median(times),
                        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))],
                        "peak_rss_mib": max(kib for _, kib in samples[name]) / 1024.0})
    return results


def envelope(sale_id, secret="demo-secret"):
    body = urllib.parse.urlencode({
        "sale_id": sale_id, "product_id": "demo-product-id", "product_name": "Acme Pro",
        "email": f"buyer-{sale_id}@example.com", "price": "4900", "currency": "usd", "resource_name": "sale",
        "full_name": "Bench Buyer"})
    return json.dumps({"method": "POST", "path": "/webhooks/gumroad", "query": f"secret={secret}",
                       "headers": {"Content-Type": "application/x-www-form-urlencoded"}, "body": body})


def api_call(route, fields):
    """An app-facing API request (form body), as an app sends it."""
    return json.dumps({"method": "POST", "path": f"/v1/licenses/{route}",
                       "headers": {"Content-Type": "application/x-www-form-urlencoded"},
                       "body": urllib.parse.urlencode(fields)})


def api_rows(binary, env, work, label, runs):
    """validate and activate rows for one store: a license is minted through a sale first (a product without a
    seat limit, so every activation takes a new seat), then each input is one call."""
    sale_id = f"APIBENCH-{label}-{os.getpid()}"
    sale = envelope(sale_id).replace("demo-product-id", "demo-lifetime-id")
    subprocess.run([binary], input=sale.encode(), env=env, check=True, capture_output=True)
    found = subprocess.run([binary, "find", f"buyer-{sale_id}@example.com", "--json"], env=env, check=True,
                           capture_output=True).stdout
    key = json.loads(found)[0]["license_key"]
    validates = write_inputs(work, f"validate-{label}", 1, lambda i: api_call("validate", {"license_key": key}))
    activates = write_inputs(work, f"activate-{label}", runs, lambda i: api_call(
        "activate", {"license_key": key, "instance_name": f"m{i}", "fingerprint": f"bench-{label}-{i}"}))
    return [(f"validate, {label}", [binary], env, validates), (f"activate, {label} (new machine)", [binary], env,
                                                             activates)]


STAND_IN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "LicensorTests", "Support",
                        "fake_lambda_runtime.py")


def lambda_event(sale_id):
    """A Function URL event carrying one sale, as Lambda delivers it."""
    inner = json.loads(envelope(sale_id))
    return json.dumps({"version": "2.0", "routeKey": "$default", "rawPath": inner["path"],
                       "rawQueryString": inner["query"], "headers": {"content-type": inner["headers"]["Content-Type"]},
                       "requestContext": {"http": {"method": "POST", "path": inner["path"], "protocol": "HTTP/1.1"}},
                       "body": inner["body"], "isBase64Encoded": False})


def warm_lambda(argv, env, folder, name, count, row=None):
    """Runs `argv` (`licensor lambda`, or the warm floor) over `count` distinct sales from the Runtime API stand-in
    on loopback; one invocation is the time between two successive /next calls (answer, post, fetch: stand-in
    included)."""
    events = os.path.join(folder, f"{name}.events")
    log = os.path.join(folder, f"{name}.log")
    with open(events, "w") as f:
        for i in range(count):
            f.write(json.dumps({"id": f"req-{i}", "body": lambda_event(f"{name}-{os.getpid()}-{i}")}) + "\n")
    stand_in = subprocess.Popen([sys.executable, STAND_IN, "--events", events, "--log", log, "--rss-after", "100"],
                                stdout=subprocess.PIPE, text=True)
    port = int(stand_in.stdout.readline().split()[1])
    loop = subprocess.Popen(argv, env=dict(env, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{port}"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/_test/pid", data=str(loop.pid).encode()))
    loop.wait(timeout=900)
    stand_in.terminate()
    stand_in.wait()
    records = [json.loads(line) for line in open(log)]
    statuses = [json.loads(r["body"]).get("statusCode") for r in records if r["kind"] == "response"]
    done = next(r for r in records if r["kind"] == "done")
    times = done["next_times"]
    # The first ten include the cold start and the first connections.
    intervals = sorted((b - a) * 1000 for a, b in zip(times[10:-1], times[11:]))
    rss = {r["after"]: r for r in records if r["kind"] == "rss"}
    return {"name": row or f"warm Lambda sale, {name} (per invocation, stand-in included)", "runs": len(intervals),
            "median_ms": statistics.median(intervals), "p99_ms": intervals[int(len(intervals) * 0.99)],
            "peak_rss_mib": rss[count]["kb"] / 1024.0, "rss_kib_after_100": rss[100]["kb"],
            "rss_kib_after_all": rss[count]["kb"], "fds_after_100": rss[100]["fds"], "fds_after_all": rss[count]["fds"],
            "store": name, "invocations": count, "non_200": sum(1 for s in statuses if s != 200)}


def lambda_burst(binary, env, folder, count, loops):
    """`count` distinct sales served by the Runtime API stand-in to `loops` concurrent warm `licensor lambda`
    processes, as Lambda scales out: wall time and the answers' statuses."""
    events = os.path.join(folder, "burst.events")
    log = os.path.join(folder, "burst.log")
    with open(events, "w") as f:
        for i in range(count):
            f.write(json.dumps({"id": f"lb-{i}", "body": lambda_event(f"LBURST-{os.getpid()}-{i}")}) + "\n")
    stand_in = subprocess.Popen(["python3", STAND_IN, "--events", events, "--log", log], stdout=subprocess.PIPE,
                                text=True)
    port = int(stand_in.stdout.readline().split()[1])
    start = time.perf_counter()
    processes = [subprocess.Popen([binary, "lambda"], env=dict(env, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{port}"),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(loops)]
    for p in processes:
        p.wait(timeout=600)
    seconds = time.perf_counter() - start
    stand_in.kill()
    statuses = [json.loads(r["body"])["statusCode"] for r in map(json.loads, open(log)) if r["kind"] == "response"]
    return {"count": count, "concurrency": loops, "seconds": seconds, "answered": len(statuses),
            "status_counts": {str(s): statuses.count(s) for s in sorted(set(statuses))}}


def write_inputs(folder, prefix, count, make):
    paths = []
    for i in range(count):
        path = os.path.join(folder, f"{prefix}-{i}.json")
        with open(path, "w") as f:
            f.write(make(i))
        paths.append(path)
    return paths


def main():
    global MEASURE
    binary, floor_c, floor_swift, floor_process, MEASURE, runs, floor_pg, floor_lambda = sys.argv[1:9]
    runs = int(runs)
    pg_url = os.environ.get("BENCH_DATABASE_URL")
    work = tempfile.mkdtemp(prefix="licensor-bench-")
    base_env = {"PATH": "/usr/bin:/bin", "GUMROAD_WEBHOOK_SECRET": "demo-secret",
                "PRODUCTS_FILE": os.path.abspath("config/products.yaml"),
                "EMAIL_TEMPLATES_DIR": os.path.abspath("config"), "LOG_LEVEL": "warning",
                "LICENSE_SIGNING_KEY": os.path.join(work, "key.pem")}
    subprocess.run([binary, "keygen", "--out", base_env["LICENSE_SIGNING_KEY"]], check=True, capture_output=True)
    sqlite_env = dict(base_env, DATABASE_URL=f"sqlite:{work}/bench.sqlite3")
    subprocess.run([binary, "migrate"], env=sqlite_env, check=True, capture_output=True)
    empty = write_inputs(work, "empty", 1, lambda i: "")
    sales = write_inputs(work, "sale", runs, lambda i: envelope(f"BENCH-{i}"))
    probes = write_inputs(work, "probe", 1, lambda i: envelope("PROBE", secret="wrong"))

    rows = [
        ("process floor (C, libc only)", [floor_process], {}, empty),
        ("Swift floor (static, does nothing)", [floor_swift], {}, empty),
        ("C floor (links libpq, sqlite3, crypto, curl, yaml)", [floor_c], {}, empty),
        ("404 probe (wrong secret)", [binary], sqlite_env, probes),
        ("sale, SQLite, logging email", [binary], sqlite_env, sales),
    ]
    baseline = os.environ.get("BENCH_BASELINE")
    if baseline:
        # An earlier build measured in the same slices, on its own database with the same signing key, so a change's
        # cost is read off one run instead of two runs on a drifting machine.
        baseline_env = dict(base_env, DATABASE_URL=f"sqlite:{work}/baseline.sqlite3")
        subprocess.run([baseline, "migrate"], env=baseline_env, check=True, capture_output=True)
        baseline_sales = write_inputs(work, "baselinesale", runs, lambda i: envelope(f"BASE-{i}"))
        rows.append((f"404 probe: baseline {os.path.basename(baseline)}", [baseline], baseline_env, probes))
        rows.append((f"sale, SQLite, logging email: baseline {os.path.basename(baseline)}", [baseline],
                     baseline_env, baseline_sales))
    if pg_url:
        pg_env = dict(base_env, DATABASE_URL=pg_url)
        subprocess.run([binary, "migrate"], env=pg_env, check=True, capture_output=True)
        rows.append(("PostgreSQL floor (C: libpq connect, SELECT 1, TCP, SCRAM)", [floor_pg],
                     {"DATABASE_URL": pg_url}, empty))
        pg_sales = write_inputs(work, "pgsale", runs, lambda i: envelope(f"PGBENCH-{os.getpid()}-{i}"))
        rows.append(("sale, PostgreSQL over loopback (TCP, SCRAM), logging email", [binary], pg_env, pg_sales))
        if baseline:
            baseline_pg_sales = write_inputs(work, "baselinepgsale", runs, lambda i: envelope(f"PGBASE-{i}"))
            rows.append((f"sale, PostgreSQL over loopback: baseline {os.path.basename(baseline)}", [baseline],
                         pg_env, baseline_pg_sales))
        socket_url = os.environ.get("BENCH_SOCKET_DATABASE_URL")
        if socket_url:
            socket_sales = write_inputs(work, "pgsocketsale", runs, lambda i: envelope(f"PGSOCK-{os.getpid()}-{i}"))
            rows.append(("sale, PostgreSQL over a Unix socket (trust), logging email", [binary],
                         dict(base_env, DATABASE_URL=socket_url), socket_sales))
    rows += api_rows(binary, sqlite_env, work, "SQLite", runs)
    if pg_url:
        rows += api_rows(binary, pg_env, work, "PostgreSQL", runs)
    results = measure_interleaved(rows, runs)
    warm_count = int(os.environ.get("BENCH_LAMBDA_INVOCATIONS", "10000"))
    warm = [warm_lambda([floor_lambda], {}, work, "floor", warm_count,
                        row="warm Lambda floor (C client, no work; stand-in included)"),
            warm_lambda([binary, "lambda"], sqlite_env, work, "SQLite", warm_count)]
    if pg_url:
        warm.append(warm_lambda([binary, "lambda"], pg_env, work, "PostgreSQL", warm_count))
    results += warm

    # Replay throughput: N sales fail (their product is unmapped), the products file is fixed, one replay runs.
    replay_count = 2000
    replay_env = dict(base_env, DATABASE_URL=f"sqlite:{work}/replay.sqlite3",
                      PRODUCTS_FILE=os.path.join(work, "none.yaml"))
    with open(replay_env["PRODUCTS_FILE"], "w") as f:
        f.write("gumroad:\n  \"other\":\n    tier: pro\n")
    subprocess.run([binary, "migrate"], env=replay_env, check=True, capture_output=True)
    import sqlite3
    db = sqlite3.connect(f"{work}/replay.sqlite3")
    payloads = [(json.dumps({"sale_id": f"R-{i}", "product_id": "demo-product-id", "email": f"r{i}@example.com",
                             "price": "4900", "resource_name": "sale"}),) for i in range(replay_count)]
    db.executemany("INSERT INTO gumroad_events (event_type, order_id, raw_payload, processed, error) "
                   "VALUES ('sale', NULL, ?, 0, 'map: unmapped')", payloads)
    db.commit()
    db.close()
    replay_env["PRODUCTS_FILE"] = base_env["PRODUCTS_FILE"]
    start = time.perf_counter()
    subprocess.run([binary, "replay", "--all-failed"], env=replay_env, check=True, capture_output=True)
    replay_seconds = time.perf_counter() - start

    burst = None
    if pg_url:
        burst_count, width = 1000, 16
        burst_inputs = write_inputs(work, "burst", burst_count, lambda i: envelope(f"BURST-{os.getpid()}-{i}"))

        def one(path):
            with open(path, "rb") as stdin:
                out = subprocess.run([binary], stdin=stdin, env=pg_env, capture_output=True).stdout
            return json.loads(out)["statusCode"]

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=width) as pool:
            statuses = list(pool.map(one, burst_inputs))
        burst = {"count": burst_count, "concurrency": width, "seconds": time.perf_counter() - start,
                 "status_counts": {str(s): statuses.count(s) for s in sorted(set(statuses))}}
        burst["lambda"] = lambda_burst(binary, pg_env, work, burst_count, width)

    floor_c_ms = results[2]["median_ms"]
    floor_swift_ms = results[1]["median_ms"]
    print(f"{'invocation':60} {'median':>8} {'p99':>8} {'×C floor':>9} {'×Swift':>7} {'peak RSS':>9}")
    for r in results:
        print(f"{r['name']:60} {r['median_ms']:7.2f}ms {r['p99_ms']:7.2f}ms {r['median_ms'] / floor_c_ms:8.2f}× "
              f"{r['median_ms'] / floor_swift_ms:6.2f}× {r['peak_rss_mib']:7.1f}MiB")
    warm_floor = warm[0]["median_ms"]
    for r in warm:
        own = f"own share {r['median_ms'] - warm_floor:.2f}ms over the warm floor; " if r is not warm[0] else ""
        print(f"warm Lambda, {r['store']}: {r['invocations']} invocations, {own}"
              f"{r['non_200']} not 200; VmRSS {r['rss_kib_after_100'] / 1024:.1f} MiB after 100, "
              f"{r['rss_kib_after_all'] / 1024:.1f} MiB after all; descriptors {r['fds_after_100']} → "
              f"{r['fds_after_all']}")
    pg_floor = next((r for r in results if r["name"].startswith("PostgreSQL floor")), None)
    pg_sale = next((r for r in results if r["name"].startswith("sale, PostgreSQL over loopback")), None)
    if pg_floor and pg_sale:
        print(f"PostgreSQL sale over loopback = libpq floor {pg_floor['median_ms']:.2f}ms + licensor's own "
              f"{pg_sale['median_ms'] - pg_floor['median_ms']:.2f}ms")
    print(f"replay: {replay_count} failed events in {replay_seconds:.2f}s = {replay_count / replay_seconds:.0f} events/s"
          " (SQLite, logging email)")
    if burst:
        print(f"burst: {burst['count']} sales at concurrency {burst['concurrency']} on PostgreSQL in "
              f"{burst['seconds']:.1f}s ({burst['count'] / burst['seconds']:.0f}/s); statuses {burst['status_counts']}")
        warm_burst = burst["lambda"]
        print(f"burst, Lambda mode: {warm_burst['count']} sales over {warm_burst['concurrency']} warm loops on "
              f"PostgreSQL in {warm_burst['seconds']:.1f}s ({warm_burst['count'] / warm_burst['seconds']:.0f}/s); "
              f"{warm_burst['answered']} answered, statuses {warm_burst['status_counts']}")
    print(json.dumps({"results": results, "replay_events_per_second": replay_count / replay_seconds,
                      "burst": burst}), file=open(os.path.join(work, "bench.json"), "w"))
    print(f"(raw figures: {work}/bench.json)")


if __name__ == "__main__":
    main()
