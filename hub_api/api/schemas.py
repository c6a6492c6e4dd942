"""The JSON API's request and response shapes, and the OpenAPI document built from them.

The models that validate requests are the ones the document describes: there is no
hand-kept copy of the API to drift. Limits come from the same constants the forms use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.json_schema import models_json_schema

from ..questions.ask import BODY_LIMIT, EMAIL, LIMITS
from ..views import MAX_ID

ERROR_TEXT = {
    400: "The request body is not valid JSON.",
    401: "A valid staff token is needed (Authorization: Bearer …).",
    403: "The token's owner lacks the role this needs.",
    404: "No such question, answer or person.",
    409: "The request conflicts with the thread's state.",
    410: "A moderator hid the question; `detail.reason` says why.",
    413: "The request or a field in it is too large.",
    415: "Send the body as application/json.",
    422: "A field is missing, of the wrong type or invalid; `detail` says which.",
    429: "Too many requests; wait for Retry-After seconds.",
}


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


class Schema(BaseModel):
    """Unknown fields are ignored, so nobody can set `status` or an author by adding it."""

    model_config = ConfigDict(extra="ignore", from_attributes=True)


class Error(Schema):
    error: str
    detail: Any = None


# At least one visible character: blank and control-only text is cleaned away to nothing.
# Written out rather than \s, which differs between Python and ECMA regex: every character
# that clean_text strips or that str.split() treats as a space.
VISIBLE = r"[^\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


def text_field(limit: int, description: str | None = None):
    return Field(min_length=1, max_length=limit, pattern=VISIBLE, description=description)


class AskIn(Schema):
    title: str = text_field(LIMITS["title"])
    body: str = text_field(BODY_LIMIT, "Markdown.")
    display_name: str = text_field(LIMITS["display_name"])
    topic: str | None = Field(None, max_length=80, description="A topic slug (404 if unknown).")
    person: str | None = Field(None, max_length=80,
                               description="A staff member's slug (404 if unknown).")
    email: str | None = Field(
        None, max_length=254, pattern=f"^{EMAIL.pattern}$",
        description="Optional: to be told about answers (double opt-in; never shown).")
    topic_news: bool = Field(
        False, description="Needs `email`: a separate consent to a personal note from staff "
        "about news on this topic (each mail has a link to stop).")

    # The same rule for the document (so a client knows it) and for validation.
    model_config = ConfigDict(json_schema_extra={
        "if": {"properties": {"topic_news": {"const": True}}, "required": ["topic_news"]},
        "then": {"required": ["email"], "properties": {"email": {"type": "string"}}}})

    @model_validator(mode="after")
    def _news_needs_email(self) -> AskIn:
        if self.topic_news and not self.email:
            raise ValueError("topic_news needs an email address")
        return self


class AskOut(Schema):
    id: int
    url: str
    manage_url: str = Field(description="The asker's private link; shown once.")


class TopicOut(Schema):
    slug: str
    name: str
    description: str


class PersonOut(Schema):
    slug: str
    name: str
    job_title: str
    profile_url: str
    topics: list[str] = []


class AnswerIn(Schema):
    body: str = text_field(BODY_LIMIT, "Markdown.")


class AnswerOut(Schema):
    id: int
    body_html: str = Field(description="Empty when a moderator hid the answer.")
    hidden_reason: str | None = Field(None, description="Why a moderator hid the answer.")
    created_at: UtcDatetime
    edited_at: UtcDatetime | None
    author: PersonOut


class FollowUpOut(Schema):
    id: int
    body_html: str
    created_at: UtcDatetime


class QuestionSummary(Schema):
    id: int
    title: str
    url: str
    topic: str | None
    status: Literal["open", "answered", "removed", "imported"]  # states.public_status
    asked_at: UtcDatetime
    answer_count: int
    accepted_answer_id: int | None


class Thread(QuestionSummary):
    body_html: str
    display_name: str
    edited: bool
    assigned_to: PersonOut | None
    answers: list[AnswerOut]
    follow_ups: list[FollowUpOut]


class QuestionPage(Schema):
    items: list[QuestionSummary]
    page: int
    per_page: int
    total: int


SLUG = r"^[a-z0-9-]+$"


class QuestionQuery(Schema):
    topic: str | None = Field(None, max_length=80, pattern=SLUG)
    status: Literal["open", "answered"] | None = None
    page: int = Field(1, ge=1, le=10_000)


class SearchQuery(Schema):
    q: str = Field(max_length=10_000, description='Words, "phrases", -word, topic:slug; '
                                                 "the hub's synonyms apply.")
    kind: Literal["thread", "curated", "person"] | None = None
    page: int = Field(1, ge=1, le=100)


class SearchHit(Schema):
    kind: str
    id: str
    title: str = Field(description="HTML: matches in <mark>.")
    title_text: str
    snippet: str = Field(description="HTML: matches in <mark>.")
    url: str
    meta: str
    answered: bool


class SearchResults(Schema):
    query: str
    total: int
    estimated: bool = Field(False, description="`total` is an estimate (many thousands of "
                            "matches on PostgreSQL).")
    page: int
    pages: int
    results: list[SearchHit]
    message: str | None = Field(None, description="What to try when nothing was found.")
    suggestion: str | None = Field(None, description="The query with misspelt words corrected "
                                   "(they were also searched as the correction).")


class SimilarQuery(Schema):
    q: str = Field(max_length=10_000, description="The title being typed.")


class SimilarResults(Schema):
    results: list[SearchHit]


def _json_integer(value: Any) -> Any:
    """A JSON integer, as JSON Schema means it (``7`` or ``7.0``), never ``true`` or ``"7"``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number")
    return value


class AcceptIn(Schema):
    answer_id: Annotated[int, BeforeValidator(_json_integer)] = Field(ge=1, le=MAX_ID)


class AssignIn(Schema):
    person: str = Field(min_length=1, max_length=80,
                        description="The colleague's slug (404 if unknown).")


class ContactRequestOut(Schema):
    """A lead: the address is personal data, shown only to the person asked and owners."""

    id: int
    question_id: int
    question_title: str
    question_url: str
    staff_url: str
    answer_id: int | None
    person: str = Field(description="Slug of the staff member asked to get in touch.")
    email: str
    company: str
    job_role: str
    consented_at: UtcDatetime
    created_at: UtcDatetime
    handled_at: UtcDatetime | None


class TopicList(Schema):
    items: list[TopicOut]


class PersonList(Schema):
    items: list[PersonOut]


class QuestionList(Schema):
    items: list[QuestionSummary]


@dataclass
class Endpoint:
    """One API operation, as routed and as documented."""

    method: str
    path: str
    summary: str
    response: type[Schema]
    status: int = 200
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    auth: bool = False
    roles: tuple[str, ...] = ("staff",)  # a token holder needs one of these
    errors: tuple[int, ...] = ()
    path_params: dict[str, str] = field(default_factory=dict)
    links: dict[str, dict] = field(default_factory=dict)  # OpenAPI links from the 2xx response
    view: Callable | None = None


def openapi_document(endpoints: list[Endpoint], server_url: str, title: str = "Candor") -> dict:
    """OpenAPI 3.1 for ``endpoints``, schemas generated from the validating models."""
    models = {Error} | {e.response for e in endpoints} | {e.body for e in endpoints if e.body}
    _, top = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
        ref_template="#/components/schemas/{model}",
    )
    paths: dict[str, dict] = {}
    for e in endpoints:
        op: dict[str, Any] = {
            "summary": e.summary,
            "operationId": e.view.__name__ if e.view else e.summary,
            "responses": {str(e.status): _content(e.response, "OK")},
        }
        if e.links:
            op["responses"][str(e.status)]["links"] = e.links
        params = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": kind, "minimum": 0, "maximum": MAX_ID}}
                  for name, kind in e.path_params.items()]
        if e.query:
            schema = e.query.model_json_schema()
            params += [{"name": name, "in": "query", "schema": prop,
                        "required": name in schema.get("required", [])}
                       for name, prop in schema["properties"].items()]
        if params:
            op["parameters"] = params
        if e.body:
            op["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": _ref(e.body)}}}
        if e.auth:
            op["security"] = [{"staffToken": []}]
        for code in sorted(set(e.errors) | {429}):
            op["responses"][str(code)] = _content(Error, ERROR_TEXT[code])
        paths.setdefault(e.path, {})[e.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{title} API", "version": "1",
                 "description": "Ask, read and answer questions; answers are always signed "
                                "by a named staff member."},
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {"staffToken": {
                "type": "http", "scheme": "bearer",
                "description": "Created with `candor staff token EMAIL`."}},
        },
    }


def _ref(model: type[Schema]) -> dict:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _content(model: type[Schema], description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}
