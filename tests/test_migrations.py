"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub_api.db import Base, make_engine
from hub_api.migrate import alembic_config

# Tables a migration creates on purpose without a model: PostgreSQL's search documents.
UNMODELLED = {"search_documents"}


def _modelled(obj, name, type_, reflected, compare_to) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return (table.name if table is not None else name) not in UNMODELLED


def test_models_match_migrations(database_url):
    engine = make_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _modelled})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == [], "a model changed without a migration: run alembic revision --autogenerate"


def test_downgrade_and_upgrade_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")
