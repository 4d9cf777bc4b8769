"""Runs every measurement and prints the bench's one table (infra/bench.sh runs this with the
services up; see README "Performance").

    bench.py <binaries.json from build.py> <python of the peer's venv> <log dir>

AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SESV2 name the running services. BENCH_COLD_N
(default 15) cold starts per binary, BENCH_WARM_N (200) warm invocations per series,
BENCH_REQUEST_ROUNDS (5) callbacks whose DynamoDB requests are counted, BENCH_STORE_WARM_N (200)
unmeasured callbacks (and their repeats) through each of the callback and the peer before them.
"""

import json
import os
import sys
import time
from pathlib import Path

import report
import workload
from measure import Bench
from report import Table, pair, percentile, ratio

PEER_DIR = Path(__file__).resolve().parent / "peer"


def log(text):
    print(f"bench: {text}", file=sys.stderr, flush=True)


def measure(bench, cold_n, warm_n, rounds, store_warm_n):
    per_implementation = store_warm_n + (rounds + 1) + 2 * cold_n + (warm_n + 1)
    log(f"making {2 * per_implementation} carts through purchase-token")
    results = {"purchase": bench.make_carts(2 * per_implementation, warm_n)}
    for name in ("callback", "peer"):
        log(f"{name}: warming DynamoDB Local up with {store_warm_n} callbacks and their repeats")
        bench.warm_store(name, store_warm_n)
    for name in ("callback", "peer"):
        log(f"{name}: counting requests over {rounds} callbacks and their repeats")
        results[f"requests:{name}"] = bench.requests(name, rounds)
    for name in report.SUBJECTS:
        log(f"{name}: {cold_n} cold starts")
        results[f"cold:{name}"] = bench.cold(name, cold_n)
    for name in ("callback", "peer"):
        log(f"{name}: {warm_n} warm first callbacks, then {warm_n} repeats")
        results[f"warm:{name}"] = bench.warm_callbacks(name, warm_n)
    for name in ("store-floor", "empty-runtime"):
        log(f"{name}: {warm_n} warm invocations")
        results[f"warm:{name}"] = bench.warm_series(name, warm_n)
    return results


def requests_figures(table, results):
    for kind, title in (("first", "first authentic callback"), ("repeat", "its repeat")):
        rows = {name: report.requests_rows(kind, results[f"requests:{name}"][kind]) for name in ("callback", "peer")}
        table.add(f"requests on the path, {title}", {n: r["count"] for n, r in rows.items()})
        table.add(f"requests in order, {title} (most seen sequence)", {n: r["detail"] for n, r in rows.items()})
        table.add(f"DynamoDB Local's own time on the path, {title} p50 (ms)", {n: r["store_ms"] for n, r in rows.items()})
    table.add(
        "requests during init",
        {name: report.describe(results[f"requests:{name}"]["init"]) for name in ("callback", "peer")},
    )


def cold_figures(table, results):
    cold = {name: results[f"cold:{name}"] for name in report.SUBJECTS}
    p50 = lambda name, key: percentile([s[key] for s in cold[name]], 0.5)  # noqa: E731
    rows = (
        ("init", "cold init p50 / p90 (ms)"),
        ("first", "first invoke after cold start p50 / p90 (ms)"),
        ("second", "second invoke in the same process p50 / p90 (ms)"),
        ("total", "cold init + first invoke p50 / p90 (ms)"),
    )
    for key, title in rows:
        cells = {name: pair([s[key] for s in cold[name]], 0.5, 0.9) for name in report.SUBJECTS}
        if key == "init":
            note = ratio(p50("callback", "init"), p50("empty-runtime", "init"), "callback ÷ empty-runtime")
        elif key == "first":
            note = ratio(p50("callback", "first"), p50("callback", "second"), "callback first ÷ second")
        elif key == "second":
            note = ratio(p50("peer", "first"), p50("peer", "second"), "peer first ÷ second")
        else:
            note = ratio(p50("peer", "total"), p50("callback", "total"), "peer ÷ callback")
        table.add(title, cells, note)


def warm_figures(table, results):
    warm = {name: results[f"warm:{name}"] for name in ("callback", "peer", "store-floor", "empty-runtime")}
    first_title = "first authentic callback (purchase-token: a purchase; store-floor: its one PutItem; empty-runtime: an echo)"
    for kind, title in (("first", first_title),
                        ("repeat", "repeat of it")):
        series = {name: w[kind] for name, w in warm.items() if kind in w}
        if kind == "first":
            series["purchase-token"] = results["purchase"]
        lat = {name: s["latencies"] for name, s in series.items()}
        p = lambda name, q: percentile(lat[name], q)  # noqa: E731
        versus = lambda name: f"p50 {p('peer', 0.5) / p(name, 0.5):.2f}×, p99 {p('peer', 0.99) / p(name, 0.99):.2f}×"  # noqa: E731
        note = f"peer ÷ callback: {versus('callback')}"
        if "store-floor" in lat:  # the best any design that commits before replying can reach
            note += f"; peer ÷ store-floor: {versus('store-floor')}"
        table.add(f"warm {title} p50 / p99 (ms)", {name: pair(values, 0.5, 0.99) for name, values in lat.items()}, note)
        cpu = {name: s["cpu_per_invocation"] for name, s in series.items() if "cpu_per_invocation" in s}
        table.add(
            f"CPU (user+sys) per warm {title.split(' (')[0]} (ms)",
            {name: f"{value * 1000:.2f}" for name, value in cpu.items()},
            ratio(cpu["peer"], cpu["callback"], "peer ÷ callback"),
        )


def memory_and_size_figures(table, results, build):
    rss = {
        "purchase-token": results["purchase"]["peak_rss_kib"],
        "callback": results["warm:callback"]["peak_rss_kib"],
        "futurepay-sweep": max(s["peak_rss_kib"] for s in results["cold:futurepay-sweep"]),
        "store-floor": results["warm:store-floor"]["peak_rss_kib"],
        "empty-runtime": results["warm:empty-runtime"]["peak_rss_kib"],
        "peer": results["warm:peer"]["peak_rss_kib"],
    }
    table.add("peak RSS, VmHWM (MiB)", {n: f"{v / 1024:.1f}" for n, v in rss.items()},
              ratio(rss["peer"], rss["callback"], "peer ÷ callback"))
    sizes = build["sizes"]
    for key, title in (("stripped", "stripped binary (bytes)"), ("zipped", "zip -9 of it (bytes)")):
        table.add(title, {n: f"{s[key]:,}" for n, s in sizes.items()},
                  ratio(sizes["callback"][key], sizes["empty-runtime"][key], "callback ÷ empty-runtime"))


def main(binaries_json, peer_python, log_dir):
    build = json.loads(Path(binaries_json).read_text())
    cold_n = int(os.environ.get("BENCH_COLD_N", "15"))
    warm_n = int(os.environ.get("BENCH_WARM_N", "200"))
    rounds = int(os.environ.get("BENCH_REQUEST_ROUNDS", "5"))
    store_warm_n = int(os.environ.get("BENCH_STORE_WARM_N", "200"))
    commands = {name: ([path], None) for name, path in build["binaries"].items()}
    commands["peer"] = ([peer_python, "-m", "awslambdaric", "handler.lambda_handler"], str(PEER_DIR))
    dynamodb_url, ses_url = os.environ["AWS_ENDPOINT_URL_DYNAMODB"], os.environ["AWS_ENDPOINT_URL_SESV2"]
    workload.create_tables(dynamodb_url)
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    for old_log in log_dir.glob("*.log"):  # each process appends; start this run's logs empty
        old_log.unlink()
    started = time.monotonic()
    results = measure(Bench(commands, dynamodb_url, ses_url, log_dir), cold_n, warm_n, rounds, store_warm_n)

    table = Table()
    requests_figures(table, results)
    cold_figures(table, results)
    warm_figures(table, results)
    memory_and_size_figures(table, results, build)
    profile = ", ".join(f"{k}={v}" for k, v in build["profile"].items())
    heading = (
        f"selectpay bench, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {workload.environment_line()}; "
        f"{build['target']}, release profile ({profile}); cold N={cold_n}, warm N={warm_n}, "
        f"requests counted over {rounds} callbacks + {rounds} repeats, after {store_warm_n} callbacks + "
        f"{store_warm_n} repeats through each of callback and peer warmed DynamoDB Local up; measuring took "
        f"{time.monotonic() - started:.0f} s. peer = Python + aws-lambda-powertools idempotency under awslambdaric."
    )
    text = heading + "\n\n" + table.markdown() + "\n"
    (log_dir / "table.md").write_text(text)
    print(text)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
