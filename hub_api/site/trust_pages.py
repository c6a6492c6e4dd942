"""The privacy and transparency pages, written by Pelican from the code's own records.

``/privacy/`` is rendered from :data:`hub_api.privacy.personal_data.REGISTRY` at every build,
so the page cannot list less (or more) than the code stores. ``/transparency/`` carries the
public moderation log in its own section (other figures may join the page in sections of their own).
Connected to Pelican by :func:`hub_api.site.plugin.register`.
"""

from __future__ import annotations

from pelican.generators import Generator
from pelican.writers import Writer
from sqlalchemy import select

from ..db import make_engine, read_only, session_scope
from ..models import ModerationAction
from ..privacy.personal_data import REGISTRY
from ..privacy.ratelimit import LIMITS

LOG_ENTRIES = 500


def read_moderation_log(database_url: str) -> list[ModerationAction]:
    """The latest public moderation actions, newest first."""
    engine = make_engine(database_url)
    try:
        with session_scope(read_only(engine)) as session:
            return list(session.scalars(select(ModerationAction)
                                        .order_by(ModerationAction.id.desc())
                                        .limit(LOG_ENTRIES)))
    finally:
        engine.dispose()


class TrustPagesGenerator(Generator):
    """Writes ``privacy/index.html`` and ``transparency/index.html``."""

    def generate_context(self) -> None:
        self.moderation_log = read_moderation_log(self.settings["CANDOR"]["DATABASE_URL"])

    def generate_output(self, writer: Writer) -> None:
        writer.write_file("privacy/index.html", self.get_template("privacy"), self.context,
                          url="privacy/", page_name="privacy/index",
                          asker_records=[r for r in REGISTRY if r.subject == "asker"],
                          staff_records=[r for r in REGISTRY if r.subject == "staff"],
                          login_limit=next(lim for e, lim, _m in LIMITS if e == "auth.login"))
        writer.write_file("transparency/index.html", self.get_template("transparency"),
                          self.context, url="transparency/", page_name="transparency/index",
                          log=self.moderation_log)


def get_generators(_pelican):
    return TrustPagesGenerator
