"""Site build cost at size: a cold ``candor build`` vs plain Pelican, and publish latency.

For each N: N curated Markdown articles + N answered threads in a private SQLite instance.
Prints the cold Candor build (the ``candor build`` command as a user runs it, a new process
with no caches) and plain Pelican (``python -m pelican``: no plugin, Pelican's own theme, the
same Markdown and URL settings) in the same run and their ratio, then, on the largest site,
the publish latency of a pick: write the file, build (incremental, as the web process's
background builder does), until the front page shows it.

Every cold run of either tool writes into a folder of its own that no earlier run used, and
the runs alternate: on a disk where creating files right after deleting many is slow (ext4
without a journal, as here), reusing or clearing one output folder would favour one tool.

    python bench/build.py [--sizes 1000,10000] [--picks 20] [--repeat 3] [--pause 0.5]

Goals (issue 4): cold build <= 1.15x plain Pelican; publish latency p50 <= 2 s at 10k.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub_api.config import load_config  # noqa: E402
from hub_api.db import make_engine, session_scope  # noqa: E402
from hub_api.migrate import upgrade  # noqa: E402
from hub_api.models import Answer, Person, Question, Topic  # noqa: E402
from hub_api.site.builder import build_site  # noqa: E402
from hub_api.site.child import Changes  # noqa: E402

TOPICS = ["networking", "security", "hardware", "support", "cloud"]
PLAIN_CONF = """
PATH = {content!r}
ARTICLE_PATHS = ["curated"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["people", "images"]
TIMEZONE = "UTC"
AUTHOR = "Bench"
SITEURL = ""
ARTICLE_URL = "curated/{{slug}}/"
ARTICLE_SAVE_AS = "curated/{{slug}}/index.html"
PAGE_URL = "{{slug}}/"
PAGE_SAVE_AS = "{{slug}}/index.html"
DIRECT_TEMPLATES = ["index"]
DEFAULT_PAGINATION = False
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = CATEGORIES_SAVE_AS = ""
TAG_SAVE_AS = TAGS_SAVE_AS = ARCHIVES_SAVE_AS = ""
FEED_ALL_ATOM = "feeds/all.atom"
CATEGORY_FEED_ATOM = None
FEED_MAX_ITEMS = 50
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
"""


def article(i: int, when: datetime) -> str:
    topics = f"{TOPICS[i % 5]}, {TOPICS[(i + 2) % 5]}"
    return (
        f"Title: Curated item {i}: what buyers should know about lead times\n"
        f"Date: {when:%Y-%m-%d %H:%M:%S}+00:00\nSlug: item-{i}\n"
        f"Source_url: https://news.example.com/{i}\nSource_name: Example News\n"
        f"Topics: {topics}\nCurator: Mia Chen\nMarket: no\n"
        f"Note: This matters because **item {i}** changes what we quote.\n"
        f"    Ask us about substitutes.\n\n"
        f'<div class="excerpt">\n<p>Paragraph one of item {i}, with <a href="https://news.'
        f'example.com/{i}">a link</a> and <strong>some</strong> emphasis.</p>\n'
        f"<p>Paragraph two: supply, demand and the board the chip sits on.</p>\n</div>\n"
    )


def make_site(tmp: Path, n: int) -> dict:
    content = tmp / "content"
    shutil.copytree(ROOT / "content", content)
    start = datetime(2024, 1, 1)
    for i in range(n):
        (content / "curated" / f"item-{i}.md").write_text(article(i, start + timedelta(hours=i)))
    url = f"sqlite:///{tmp / 'instance' / 'candor.db'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as s:
        topics = [Topic(slug=t, name=t.title(), description="") for t in TOPICS]
        people = [Person(slug=f"p{i}", name=f"Person {i}", job_title="Engineer",
                         email=f"p{i}@example.com", password_hash="x", roles="staff",
                         topics=[topics[i % 5]]) for i in range(10)]
        s.add_all(topics + people)
        for i in range(n):
            asked = start + timedelta(hours=i)
            q = Question(title=f"Question {i} about lead times", body="b", body_html="<p>b</p>",
                         display_name="Pat", topic=topics[i % 5], manage_token_hash=f"t{i}",
                         status="answered", created_at=asked)
            q.answers.append(Answer(person=people[i % 10], body="a", body_html="<p>a</p>",
                                    created_at=asked + timedelta(hours=3)))
            s.add(q)
    engine.dispose()
    env = {"INSTANCE": tmp / "instance", "DATABASE_URL": url, "CONTENT": content,
           "SITE": tmp / "site", "PUBLIC_URL": "https://hub.example.com"}
    use(env)
    return load_config()


def use(settings: dict) -> None:
    for key, value in settings.items():
        os.environ[f"CANDOR_{key}"] = str(value)


def timed(cmd: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=cwd, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def candor_build(tmp: Path, run: Path, cold: bool) -> float:
    """``candor build`` publishing ``run/site``; ``cold``: with no content cache or template
    cache (and, as ``run`` is new, no earlier build)."""
    if cold:
        shutil.rmtree(tmp / "instance" / "pelican-cache", ignore_errors=True)
        shutil.rmtree(tmp / "instance" / "jinja-cache", ignore_errors=True)
    use({"SITE": run / "site"})
    return timed([str(Path(sys.executable).with_name("candor")), "build"], tmp)


def plain_pelican(tmp: Path, config: dict, out: Path) -> float:
    conf = tmp / "plainconf.py"
    conf.write_text(PLAIN_CONF.format(content=str(config["CONTENT"])))
    return timed([sys.executable, "-m", "pelican", str(config["CONTENT"]), "-o", str(out),
                  "-s", str(conf), "-q"], tmp)


def publish_latency(config: dict, picks: int, pause: float) -> list[float]:
    """Write a pick's file and build as the web process's ``Builder`` does (incremental, with
    a prewarmed child); time until the live front page links it. Picks are ``pause`` apart
    (the builder's debounce, not counted: meanwhile its spare child imports)."""
    curated = Path(config["CONTENT"]) / "curated"
    index = Path(config["SITE"]) / "index.html"
    figures = []
    for k in range(picks):
        time.sleep(pause)
        slug = f"fresh-pick-{k}"
        started = time.perf_counter()
        (curated / f"{slug}.md").write_text(article(10**6 + k, datetime.now(UTC))
                                            .replace(f"Slug: item-{10**6 + k}", f"Slug: {slug}"))
        builder = threading.Thread(target=build_site, args=(config,), kwargs={
            "prewarm": True, "changed": Changes()})  # as the builder says of a pick
        builder.start()
        while f"/curated/{slug}/" not in index.read_text():
            assert builder.is_alive() or f"/curated/{slug}/" in index.read_text(), "not published"
            time.sleep(0.02)
        figures.append(time.perf_counter() - started)
        builder.join()  # pruning the build before last happens after the swap
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--picks", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="cold runs per size up to 1,000")
    parser.add_argument("--pause", type=float, default=float(load_config()["BUILD_DEBOUNCE"]),
                        help="seconds between picks (default: the background builder's "
                             "debounce, which the web process adds to each publish)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'N':>6}  {'candor cold':>11}  {'plain':>8}  {'ratio':>5}  {'warm':>8}  "
          "(cold and plain: medians; ratio: median of paired runs; warm: `candor build` "
          "again, nothing changed)")
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="candor-bench-") as name:
            tmp = Path(name)
            config = make_site(tmp, n)
            colds, plains = [], []
            runs = [tmp / f"candor-{k}" for k in range(args.repeat if n <= 1000 else 1)]
            for k, run in enumerate(runs):
                colds.append(candor_build(tmp, run, cold=True))
                plains.append(plain_pelican(tmp, config, tmp / f"plain-{k}"))
            cold, plain = statistics.median(colds), statistics.median(plains)
            ratio = statistics.median(c / p for c, p in zip(colds, plains, strict=True))
            warm = candor_build(tmp, runs[-1], cold=False)
            print(f"{n:>6}  {cold:>10.1f}s  {plain:>7.1f}s  {ratio:>5.2f}  {warm:>7.1f}s",
                  flush=True)
            config["SITE"] = runs[-1] / "site"  # the live site the picks are published to
            if n == max(sizes) and args.picks:
                figures = publish_latency(config, args.picks, args.pause)
                print(f"publish latency at N={n} over {len(figures)} picks {args.pause:g}s "
                      f"apart: p50 {statistics.median(figures):.2f}s, min {min(figures):.2f}s, "
                      f"max {max(figures):.2f}s (goal p50 <= 2 s; the web process adds its "
                      f"{args.pause:g}s debounce)")


if __name__ == "__main__":
    main()
