"""Serving benchmark: Candor's thread page and front page against a bare Flask ceiling.

Builds a throwaway instance (init, demo, build) in a temp dir, starts the real hub under
waitress (``candor serve``) and a one-route Flask app under waitress with the same thread
count, then loads each with wrk (or a pure-Python generator in its own process when wrk is
missing). Every measurement is bounded in time, hits loopback only and is repeated; the
median is printed and written to ``bench/out/serve.json``.

    python bench/serve.py [--seconds 6] [--concurrency 16] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out" / "serve.json"
HOST = "127.0.0.1"
THREADS = 8  # `candor serve` runs waitress with threads=8; the reference must match.
BUILD_ATTEMPTS = 3
BUILD_RETRY_WAIT = 10.0
START_TIMEOUT = 60.0
PY_MAX_REQUESTS = 2_000_000  # hard cap for the Python generator, on top of the time bound

HELLO_APP = """
import sys
from flask import Flask
from waitress import serve

app = Flask("hello")

@app.get("/hello")
def hello():
    return "hello"

serve(app, host=sys.argv[1], port=int(sys.argv[2]), threads=int(sys.argv[3]), ident="hello")
"""

# wrk reports through done() as one JSON line, so nothing depends on its human-readable text.
# response() counts non-2xx exactly (wrk's own status errors only count >= 400).
WRK_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"non2xx": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    bad, e.connect + e.read + e.write + e.timeout))
end
"""


# --- instance and servers -----------------------------------------------------------------


def free_port() -> int:
    """A loopback port the kernel says is free now, so parallel runs never collide."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def candor_command() -> list[str]:
    """The console script beside this interpreter; `-m hub_api.cli` has no __main__ guard."""
    script = Path(sys.executable).parent / "candor"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from hub_api.cli import main; main()"]


def instance_env(tmp: Path, port: int) -> dict[str, str]:
    """A clean environment: no inherited CANDOR_* may point the bench at real data."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CANDOR_")}
    env.update(
        CANDOR_INSTANCE=str(tmp / "instance"),
        CANDOR_SITE=str(tmp / "site"),
        CANDOR_CONTENT=str(tmp / "content"),
        CANDOR_AUTO_BUILD="0",
        CANDOR_PUBLIC_URL=f"http://{HOST}:{port}",
    )
    return env


def run_candor(args: list[str], env: dict[str, str], log: Path) -> None:
    """Run one setup command, retrying: the publish module may be mid-edit for a moment."""
    for attempt in range(1, BUILD_ATTEMPTS + 1):
        with log.open("a") as out:
            rc = subprocess.run(candor_command() + args, env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                check=False).returncode
        if rc == 0:
            return
        if attempt < BUILD_ATTEMPTS:
            print(f"  candor {' '.join(args)} failed (rc={rc}); retrying in "
                  f"{BUILD_RETRY_WAIT:.0f}s", flush=True)
            time.sleep(BUILD_RETRY_WAIT)
    tail = log.read_text(errors="replace").strip().splitlines()[-5:]
    raise RuntimeError(f"candor {' '.join(args)} failed:\n  " + "\n  ".join(tail))


def prepare_instance(tmp: Path, env: dict[str, str]) -> None:
    """init + demo + build, so the thread page has data and the front page exists."""
    shutil.copytree(ROOT / "content", tmp / "content")
    log = tmp / "setup.log"
    for args in (["init"], ["demo"], ["build"]):
        print(f"  candor {args[0]} …", flush=True)
        run_candor(args, env, log)
    if not (tmp / "site").exists():
        raise RuntimeError("candor build reported success but no site exists")


def start_server(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A server in its own session, so Ctrl+C reaches us and we stop it in order."""
    with log.open("w") as out:
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def stop_server(proc: subprocess.Popen) -> None:
    """SIGTERM the server's own process group, then SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def get(port: int, path: str) -> tuple[int, str | None]:
    """One GET without following redirects: status and Location."""
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status, resp.getheader("Location")
    finally:
        conn.close()


def wait_ready(proc: subprocess.Popen, port: int, path: str, log: Path) -> None:
    """Poll until the server answers 200, failing fast with its log if it died."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited (rc={proc.returncode}):\n"
                               + log.read_text(errors="replace")[-2000:])
        with contextlib.suppress(OSError, http.client.HTTPException):
            if get(port, path)[0] == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer {path} in {START_TIMEOUT:.0f}s")


def canonical_thread_path(port: int) -> str:
    """Follow /q/1's 301 once, so the bench measures the page, not the redirect."""
    status, location = get(port, "/q/1")
    if status != 301 or not location:
        raise RuntimeError(f"/q/1 answered {status}, expected a 301 to the canonical URL")
    path = urlsplit(location).path
    status, _ = get(port, path)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    return path


# --- load generators ----------------------------------------------------------------------


def wrk_threads(concurrency: int) -> int:
    """Half the cores at most: the server under test needs the rest."""
    return max(1, min(concurrency, (os.cpu_count() or 2) // 2))


def run_wrk(url: str, seconds: float, concurrency: int, lua: Path) -> dict:
    """One wrk run; figures come from the Lua done() hook as JSON."""
    cmd = ["wrk", "-t", str(wrk_threads(concurrency)), "-c", str(concurrency),
           "-d", f"{max(1, round(seconds))}s", "--timeout", "5s", "-s", str(lua), url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True,
                         timeout=seconds + 30).stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures:\n{out}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    elapsed = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "seconds": round(elapsed, 3),
        "rps": raw["requests"] / elapsed if elapsed else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": raw["non2xx"] + raw["socket_errors"],
    }


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile, the same definition for every target."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def _py_worker(port: int, path: str, deadline: float, quota: int) -> tuple[list[float], int]:
    """One keep-alive connection issuing GETs until the deadline or its quota."""
    latencies: list[float] = []
    errors = 0
    conn: http.client.HTTPConnection | None = None
    for _ in range(quota):
        if time.monotonic() >= deadline:
            break
        if conn is None:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
        start = time.perf_counter()
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = None
            continue
        latencies.append(time.perf_counter() - start)
        if not 200 <= resp.status < 300:
            errors += 1
        if resp.will_close:
            conn.close()
            conn = None
    if conn is not None:
        conn.close()
    return latencies, errors


def python_load(port: int, path: str, seconds: float, concurrency: int) -> dict:
    """The fallback generator: a thread pool of keep-alive clients, bounded twice."""
    quota = max(1, PY_MAX_REQUESTS // concurrency)
    started = time.monotonic()
    deadline = started + seconds
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(_py_worker, port, path, deadline, quota)
                   for _ in range(concurrency)]
        results = [f.result() for f in futures]
    elapsed = time.monotonic() - started
    latencies = sorted(lat for lats, _ in results for lat in lats)
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "errors": sum(err for _, err in results),
    }


def run_python_generator(url: str, seconds: float, concurrency: int) -> dict:
    """Run python_load in a child process, so the client never shares our GIL."""
    parts = urlsplit(url)
    spec = json.dumps({"port": parts.port, "path": parts.path,
                       "seconds": seconds, "concurrency": concurrency})
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--loadgen", spec],
                         capture_output=True, text=True, check=True,
                         timeout=seconds + 60).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- measuring and reporting --------------------------------------------------------------


@contextlib.contextmanager
def fresh_request_probe(url: str) -> Iterator[list[float]]:
    """Every 0.25 s during a run, a new connection asks for ``/healthz``: how long a newcomer
    waits while the crowd holds its connections (seconds; 10 when nothing came back)."""
    parts, times, stop = urlsplit(url), [], threading.Event()

    def probe() -> None:
        while not stop.wait(0.25):
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                conn.close()
                times.append(time.perf_counter() - started)
            except OSError:
                times.append(10.0)
    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    try:
        yield times
    finally:
        stop.set()
        thread.join(15)


def measure(targets: dict[str, str], args: argparse.Namespace, lua: Path | None) -> dict:
    """Warm each target, then run the repeats round-robin so drift hits all alike."""
    def once(url: str, seconds: float) -> dict:
        with fresh_request_probe(url) as probes:
            if lua is not None:
                result = run_wrk(url, seconds, args.concurrency, lua)
            else:
                result = run_python_generator(url, seconds, args.concurrency)
        result["probe_max_ms"] = round(max(probes, default=0.0) * 1000, 1)
        return result

    for url in targets.values():
        once(url, args.warmup)
    runs: dict[str, list[dict]] = {name: [] for name in targets}
    for rep in range(1, args.repeat + 1):
        for name, url in targets.items():
            result = once(url, args.seconds)
            runs[name].append(result)
            print(f"  run {rep}/{args.repeat} {name:<7} {result['rps']:9.1f} req/s  "
                  f"p50 {result['p50_ms']:7.2f} ms  p99 {result['p99_ms']:7.2f} ms  "
                  f"errors {result['errors']}  fresh request max "
                  f"{result['probe_max_ms']:.0f} ms", flush=True)
    return {name: summarize(url, runs[name]) for name, url in targets.items()}


def summarize(url: str, runs: list[dict]) -> dict:
    """The median of each figure across repeats; errors are summed, since any one counts."""
    return {
        "path": urlsplit(url).path,
        "rps": round(statistics.median(r["rps"] for r in runs), 1),
        "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 3),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 3),
        "errors": sum(r["errors"] for r in runs),
        "probe_max_ms": max(r["probe_max_ms"] for r in runs),
        "runs": runs,
    }


def machine_note(generator: str) -> dict:
    """What the figures depend on: cores shared by client and servers, runtime, other load."""
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    return {
        "cores": cores,
        "usable_cores": usable,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "generator": generator,
        "server_threads": THREADS,
        "load_avg_1min": round(os.getloadavg()[0], 2),
    }


def report(results: dict, machine: dict, args: argparse.Namespace) -> dict:
    """Print the table and ratios; return the document written as JSON."""
    hello = results["hello"]["rps"] or float("nan")
    ratios = {
        "thread_over_hello": round(results["thread"]["rps"] / hello, 3),
        "front_over_hello": round(results["front"]["rps"] / hello, 3),
    }
    print()
    print(f"{'target':<8} {'path':<40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'fresh max ms':>12}")
    for name, row in results.items():
        print(f"{name:<8} {row['path'][:40]:<40} {row['rps']:9.1f} {row['p50_ms']:8.2f} "
              f"{row['p99_ms']:8.2f} {row['errors']:7d} {row['probe_max_ms']:12.0f}")
    print(f"(median of {args.repeat} runs of {args.seconds:g}s, concurrency {args.concurrency}; "
          "errors summed over all runs)")
    print(f"thread/hello = {ratios['thread_over_hello']:.3f}   "
          f"front/hello = {ratios['front_over_hello']:.3f}")
    print(f"machine: {machine['cores']} cores ({machine['usable_cores']} usable), "
          f"Python {machine['python']}, {machine['platform']}; generator {machine['generator']}; "
          f"waitress threads={THREADS}; load avg {machine['load_avg_1min']} "
          "(client and servers share the cores)")
    return {
        "config": {"seconds": args.seconds, "concurrency": args.concurrency,
                   "repeat": args.repeat, "warmup": args.warmup},
        "machine": machine,
        "results": results,
        "ratios": ratios,
    }


# --- orchestration --------------------------------------------------------------------------


def _raise_interrupt(_signum, _frame) -> None:
    """SIGTERM takes the same clean-up path as Ctrl+C."""
    raise KeyboardInterrupt


@contextlib.contextmanager
def servers(tmp: Path, env: dict[str, str], ports: dict[str, int]) -> Iterator[None]:
    """Start the hub and the reference; stop both whatever happens."""
    procs: list[subprocess.Popen] = []
    try:
        hub_log, hello_log = tmp / "hub.log", tmp / "hello.log"
        procs.append(start_server(candor_command() + ["serve", "--port", str(ports["hub"])],
                                  env, hub_log))
        procs.append(start_server([sys.executable, "-c", HELLO_APP, HOST, str(ports["hello"]),
                                   str(THREADS)], env, hello_log))
        wait_ready(procs[0], ports["hub"], "/healthz", hub_log)
        wait_ready(procs[1], ports["hello"], "/hello", hello_log)
        yield
    finally:
        for proc in procs:
            stop_server(proc)


def choose_generator(name: str) -> str:
    """wrk when present (native, low overhead), otherwise the Python fallback."""
    if name == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if name == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    return name


def run(args: argparse.Namespace) -> None:
    """Set up, measure, report; the temp dir and servers go away on any exit."""
    generator = choose_generator(args.generator)
    with tempfile.TemporaryDirectory(prefix="candor-bench-") as tmpname:
        tmp = Path(tmpname)
        ports = {"hub": free_port(), "hello": free_port()}
        env = instance_env(tmp, ports["hub"])
        print(f"Preparing a throwaway instance in {tmp}", flush=True)
        prepare_instance(tmp, env)
        lua = None
        if generator == "wrk":
            lua = tmp / "report.lua"
            lua.write_text(WRK_LUA)
        with servers(tmp, env, ports):
            thread_path = canonical_thread_path(ports["hub"])
            targets = {
                "thread": f"http://{HOST}:{ports['hub']}{thread_path}",
                "front": f"http://{HOST}:{ports['hub']}/",
                "hello": f"http://{HOST}:{ports['hello']}/hello",
            }
            print(f"Measuring with {generator}: {args.repeat} x {args.seconds:g}s per target, "
                  f"concurrency {args.concurrency}", flush=True)
            results = measure(targets, args, lua)
    doc = report(results, machine_note(generator), args)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"figures written to {OUT}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Options; --loadgen is internal, the child-process entry of the Python generator."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="length of one run")
    parser.add_argument("--concurrency", type=int, default=16, help="open connections")
    parser.add_argument("--repeat", type=int, default=3, help="runs per target (median)")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured run per target")
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto",
                        help="load generator (auto: wrk if installed)")
    parser.add_argument("--loadgen", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not (0 < args.seconds <= 60 and 1 <= args.concurrency <= 256 and 1 <= args.repeat <= 20):
        parser.error("keep it bounded: 0 < seconds <= 60, 1..256 connections, 1..20 repeats")
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point: the benchmark, or the load-generator child when --loadgen is given."""
    args = parse_args(argv)
    if args.loadgen:
        spec = json.loads(args.loadgen)
        print(json.dumps(python_load(spec["port"], spec["path"], spec["seconds"],
                                     spec["concurrency"])))
        return 0
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        run(args)
    except KeyboardInterrupt:
        print("\ninterrupted; servers stopped and temp dir removed", file=sys.stderr)
        return 130
    except (RuntimeError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
