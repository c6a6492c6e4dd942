"""schemathesis against /api/openapi.json, on SQLite and PostgreSQL: no 5xx, no schema breaks."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.stateful import run_state_machine_as_test

from hub_api.api.routes import ENDPOINTS
from hub_api.db import Base

FUZZ = settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def api_schema(app, people):
    """The app's own document, with Dana's token as the staff credential.

    Rate limits are off here so the fuzzer reaches past them (test_api checks 429s).
    """
    app.extensions["candor_limiter"].enabled = False
    runner = app.test_cli_runner()
    raw = runner.invoke(args=["staff", "token", people["dana"]]).output.strip().splitlines()[-1]
    app.test_client().post("/api/v1/questions",
                           json={"title": "Seed", "body": "b", "display_name": "S"})
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)

    @schema.auth()
    class StaffToken:
        def get(self, case, context):
            return raw

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return schema


@pytest.mark.parametrize("method, path", [(e.method, e.path) for e in ENDPOINTS],
                         ids=[f"{e.method} {e.path}" for e in ENDPOINTS])
def test_every_operation(api_schema, method, path):
    operation = api_schema[path][method]

    @FUZZ
    @given(case=operation.as_strategy())
    def check(case):
        case.call_and_validate()

    check()


KEEP = {"persons", "topics", "person_topics", "api_tokens", "alembic_version"}


def test_stateful_ask_answer_accept(api_schema, app):
    """Each run starts from the same data, so a replayed run behaves the same (the
    duplicate-question rule would otherwise answer the second run differently)."""
    engine = app.extensions["candor_engine"]

    class Flow(api_schema.as_state_machine()):
        def teardown(self):
            with engine.begin() as conn:
                for table in reversed(Base.metadata.sorted_tables):
                    if table.name not in KEEP:
                        conn.execute(table.delete())
            super().teardown()

    run_state_machine_as_test(Flow, settings=settings(
        max_examples=15, stateful_step_count=6, deadline=None,
        suppress_health_check=list(HealthCheck)))


def test_document_links_the_flow(api_schema, app):
    doc = app.test_client().get("/api/openapi.json").json
    ask_links = doc["paths"]["/api/v1/questions"]["post"]["responses"]["201"]["links"]
    assert ask_links["AnswerIt"]["operationId"] == "answer_question"
    answer = doc["paths"]["/api/v1/questions/{question_id}/answers"]["post"]
    assert answer["responses"]["201"]["links"]["AcceptIt"]["operationId"] == "accept"
