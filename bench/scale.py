"""A hub at scale: build time and memory, publish latency, reader req/s, serve RSS.

For each size (a 1,000-question reference and the full size, by default 100,000 questions,
150,000 answers, 50 staff, 20 topics, 10,000 curated items) in a throwaway instance:

* people and topics go through the write path (``add_person``, ``add_topic``); questions and
  answers through :func:`bulk_load` (plain inserts of the rows the write path makes, which
  ``tests/test_scale_loader.py`` compares with the write path); curated items are Markdown
  files as a pick writes them;
* a full ``candor build`` in its own process: wall time and peak memory (its children's too);
* publish latency of an answer and of a pick: from the write to the rebuilt site showing it
  (an incremental build with a prewarmed child, told what changed, as the web process's
  builder runs it), ``--pause`` seconds apart: the waiting child reads the hub once the
  build before ends (about six seconds at 100,000 questions on two cores), and a publish
  sooner than that waits for it;
* wrk against ``candor serve``: a thread page and the front page, and the server's RSS after.

    python bench/scale.py [--questions 100000] [--reference 1000] [--publishes 5] [--seconds 5]
                          [--pause 8]

Goals (issue 16): publish p50 <= 1 s at 100,000 questions; thread req/s within 10% of the
1,000-question figure; serve RSS <= 300 MB. Search p95 is measured by ``bench/search.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import serve as serving  # noqa: E402  (bench/serve.py: servers, wrk)
from build import article  # noqa: E402  (bench/build.py: a curated item's Markdown)
from sqlalchemy import insert, select  # noqa: E402

from hub_api.config import load_config  # noqa: E402
from hub_api.db import make_engine, session_scope  # noqa: E402
from hub_api.models import Answer, Person, Question, Topic  # noqa: E402

START = datetime(2024, 1, 1, 9, 0)
BATCH = 5000
ANSWERED_SHARE = 0.9  # the rest wait for an answer


def bulk_load(engine, questions: int, answers: int, staff: list[int], topics: list[int],
              first_id: int = 1) -> None:
    """``questions`` questions (most answered, the rest open) and ``answers`` answers, written
    as the write path writes them (status, timestamps, rendered HTML), in batches."""
    answered = min(questions, answers, round(questions * ANSWERED_SHARE))
    doubles = min(answered, answers - answered)  # questions with a second answer
    with engine.begin() as conn:
        for first in range(0, questions, BATCH):
            rows_q, rows_a = [], []
            for i in range(first, min(first + BATCH, questions)):
                qid = first_id + i
                asked = START + timedelta(minutes=7 * i)
                has = i < answered
                rows_q.append({
                    "id": qid, "title": f"Question {i}: can the NW-{i % 97} run at {i % 60} C?",
                    "body": f"We need this for site {i}.",
                    "body_html": f"<p>We need this for site {i}.</p>",
                    "display_name": f"Reader {i % 500}", "topic_id": topics[i % len(topics)],
                    "manage_token_hash": secrets.token_hex(32),
                    "status": "answered" if has else "open", "created_at": asked})
                for n in range((2 if i < doubles else 1) if has else 0):
                    rows_a.append({
                        "question_id": qid, "person_id": staff[(i + n) % len(staff)],
                        "body": f"Yes, rated to {i % 60 + 10} C.",
                        "body_html": f"<p>Yes, rated to {i % 60 + 10} C.</p>",
                        "created_at": asked + timedelta(hours=2 + n)})
            conn.execute(insert(Question), rows_q)
            if rows_a:
                conn.execute(insert(Answer), rows_a)


def make_instance(tmp: Path, port: int, args, questions: int) -> dict[str, str]:
    env = serving.instance_env(tmp, port)
    (tmp / "content" / "curated").mkdir(parents=True)
    (tmp / "content" / "pages").mkdir()
    serving.run_candor(["init"], env, tmp / "setup.log")
    config = load_config(env)
    engine = make_engine(config["DATABASE_URL"])
    from hub_api.staff.people import add_person, add_topic

    with session_scope(engine) as s:
        for t in range(args.topics):
            add_topic(s, f"Topic {t}", f"topic-{t}")
        s.flush()
        for p in range(args.staff):
            add_person(s, name=f"Staff Person {p}", email=f"p{p}@example.com",
                       password=secrets.token_hex(8), job_title="Engineer",
                       topics=[f"topic-{p % args.topics}"])
    with session_scope(engine) as s:
        staff = list(s.scalars(select(Person.id)))
        topics = list(s.scalars(select(Topic.id)))
    scale = questions / args.questions
    bulk_load(engine, questions, round(args.answers * scale), staff, topics)
    engine.dispose()
    now = datetime.now(UTC)
    for i in range(round(args.curated * scale)):
        (tmp / "content" / "curated" / f"item-{i}.md").write_text(
            article(i, now - timedelta(minutes=i)))
    return env


def full_build(env: dict[str, str], tmp: Path) -> tuple[float, float]:
    """``candor build`` in a new process: seconds and peak RSS (MB) of it and its children."""
    code = ("import resource, subprocess, sys, time; t = time.monotonic(); "
            "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
            "print(time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *serving.candor_command(), "build"],
                         env=env, capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1]) / 1024


PUBLISH = """
import sys, time, json
from pathlib import Path
from hub_api import create_app
from hub_api.db import get_session
from hub_api.models import Person, Question
from hub_api.questions.queue import post_answer
from hub_api.site.builder import build_site
from hub_api.site.child import Changes
from sqlalchemy import select
app = create_app()
content = Path(app.config["CONTENT"]) / "curated"
answers, picks = [], []
pause = float(sys.argv[2])
build_site(app.config, prewarm=True)  # the web process's builder keeps a child ready
for n in range(int(sys.argv[1])):
    time.sleep(pause)
    with app.test_request_context():
        s = get_session()
        q = s.scalars(select(Question).where(Question.status == "open").limit(1)).first()
        who = s.scalars(select(Person).limit(1)).first()
        started = time.monotonic()
        answer = post_answer(s, q, who, f"Published answer {n}")
        s.commit()
        title, changed = q.title, Changes(answers=frozenset({answer.id}))  # as the outbox says
    build = build_site(app.config, prewarm=True, changed=changed)
    assert title in (build / "index.html").read_text()
    answers.append(time.monotonic() - started)
    time.sleep(pause)
    started = time.monotonic()
    (content / f"scale-pick-{n}.md").write_text(
        f"Title: Scale pick {n}\\nDate: 2030-01-01 10:{n:02d}\\nSlug: scale-pick-{n}\\n"
        f"Topics: topic-0\\nCurator: Staff Person 0\\nNote: Why.\\n\\nText.\\n")
    build = build_site(app.config, prewarm=True, changed=Changes())
    assert f"/curated/scale-pick-{n}/" in (build / "index.html").read_text()
    picks.append(time.monotonic() - started)
print(json.dumps({"answer": answers, "pick": picks}))
"""


def publish_latency(env: dict[str, str], count: int, pause: float) -> dict:
    out = subprocess.run([sys.executable, "-c", PUBLISH, str(count), str(pause)], env=env,
                         cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    return {kind: {"p50": statistics.median(v), "p95": sorted(v)[max(0, round(.95 * len(v)) - 1)]}
            for kind, v in figures.items()}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def settle(pid: int, limit: float = 60.0) -> None:
    """Wait until the build's files are on disk and the server has finished starting up (its
    CPU use under 5% for a second): the disk writes a 100,000-question build leaves behind
    would otherwise be measured as slow serving."""
    os.sync()
    deadline = time.monotonic() + limit

    def cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    while time.monotonic() < deadline:
        before = cpu()
        time.sleep(1)
        if cpu() - before < 0.05:
            return


def serve_figures(env: dict[str, str], tmp: Path, port: int, seconds: float) -> dict:
    lua = tmp / "wrk.lua"
    lua.write_text(serving.WRK_LUA)
    proc = serving.start_server(serving.candor_command() + ["serve", "--port", str(port)], env,
                                tmp / "serve.log")
    try:
        serving.wait_ready(proc, port, "/", tmp / "serve.log")
        settle(proc.pid)
        thread = serving.canonical_thread_path(port)
        base = f"http://{serving.HOST}:{port}"
        figures = {name: statistics.median(
            serving.run_wrk(base + path, seconds, 16, lua)["rps"] for _ in range(3))
            for name, path in (("thread", thread), ("front", "/"))}
        figures["rss_mb"] = rss_mb(proc.pid)
        return figures
    finally:
        serving.stop_server(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=150_000)
    parser.add_argument("--staff", type=int, default=50)
    parser.add_argument("--topics", type=int, default=20)
    parser.add_argument("--curated", type=int, default=10_000)
    parser.add_argument("--reference", type=int, default=1000)
    parser.add_argument("--publishes", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--pause", type=float, default=8, help="seconds between publishes")
    args = parser.parse_args()
    results = {}
    for questions in (args.reference, args.questions):
        with tempfile.TemporaryDirectory(prefix="candor-scale-") as name:
            tmp, port = Path(name), serving.free_port()
            started = time.monotonic()
            env = make_instance(tmp, port, args, questions)
            print(f"N={questions}: loaded in {time.monotonic() - started:.0f}s", flush=True)
            seconds, peak = full_build(env, tmp)
            print(f"  full build {seconds:.1f}s, peak memory {peak:.0f} MB", flush=True)
            latency = publish_latency(env, args.publishes, args.pause)
            print(f"  publish answer p50 {latency['answer']['p50']:.2f}s "
                  f"p95 {latency['answer']['p95']:.2f}s; pick p50 {latency['pick']['p50']:.2f}s "
                  f"p95 {latency['pick']['p95']:.2f}s", flush=True)
            served = serve_figures(env, tmp, port, args.seconds)
            print(f"  thread {served['thread']:.0f} req/s, front {served['front']:.0f} req/s, "
                  f"serve RSS {served['rss_mb']:.0f} MB", flush=True)
            results[questions] = {"build_s": seconds, "build_peak_mb": peak,
                                  "publish": latency, **served}
    ref, big = results[args.reference], results[args.questions]
    print(f"thread req/s at {args.questions} / at {args.reference}: "
          f"{big['thread'] / ref['thread']:.2f}; front: {big['front'] / ref['front']:.2f}")
    out = Path(__file__).resolve().parent / "out" / "scale.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"figures written to {out}; load average {os.getloadavg()[0]:.1f} (shared cores)")


if __name__ == "__main__":
    main()
