"""The site build's child process: one Pelican run, its errors in one line.

``publish.py`` starts it (``python -m hub_api.build_child --wait``) ahead of time, so Pelican
and the plugin are imported before a change arrives; it imports neither Flask nor click.
By hand, e.g. under a profiler: ``python -m hub_api.build_child OUTDIR [SETTINGS]``.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from .build_reuse import FULL_BUILD_NEEDED, FullBuildNeeded
from .config import ROOT

logger = logging.getLogger(__name__)

def _main(argv: list[str]) -> int:
    """``python -m hub_api.build_child OUTDIR [SETTINGS] [--incremental]``: one Pelican run,
    errors in one line; exit status ``FULL_BUILD_NEEDED`` when incremental cannot be exact."""
    incremental = "--incremental" in argv
    argv = [arg for arg in argv if arg != "--incremental"]
    if not 1 <= len(argv) <= 2:
        sys.stderr.write("usage: python -m hub_api.build_child OUTDIR [SETTINGS] [--incremental]\n")
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    outdir = Path(argv[0]).absolute()
    settings_path = argv[1] if len(argv) > 1 else str(ROOT / "publishconf.py")
    try:
        from pelican.settings import read_settings

        from . import build_reuse
        from .config import load_config

        build_reuse.begin()

        content = str(load_config()["CONTENT"])
        # Every build writes into a fresh folder whose curated/ may be the live tree: Pelican
        # must not clean it.
        settings = read_settings(settings_path, override={
            "OUTPUT_PATH": str(outdir), "PATH": content, "CANDOR_INCREMENTAL": incremental,
            "DELETE_OUTPUT_DIRECTORY": False,
        })
        build_reuse.CandorPelican(settings).run()
    except FullBuildNeeded as exc:
        sys.stderr.write(f"{exc}\n")
        return FULL_BUILD_NEEDED
    except Exception as exc:
        logger.debug("build failed", exc_info=True)
        reason = " ".join(str(exc).split()) or type(exc).__name__
        sys.stderr.write(f"{type(exc).__name__}: {reason}\n")
        return 1
    return 0


def _wait() -> int:
    """``python -m hub_api.build_child --wait``: import first, then build with the arguments
    read from stdin (NUL-separated, one line); end quietly if the parent goes away."""
    from pelican.settings import read_settings  # noqa: F401  (the imports are the point)

    from . import build_reuse, pelican_plugin  # noqa: F401

    line = sys.stdin.readline()
    return _main(line.rstrip("\n").split("\0")) if line.strip() else 0


if __name__ == "__main__":
    if sys.argv[1:] != ["--wait"]:  # by hand, e.g. under a profiler
        sys.exit(_main(sys.argv[1:]))
    status = _wait()
    # Every file is written and closed: skip tearing down 10,000 articles' objects (a few
    # tenths of a second the publish latency would wait for).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
