"""The JSON API under /api/v1, described by /api/openapi.json.

Every operation is declared once with `endpoint(...)`: the same declaration routes the
request, validates it with its pydantic model and documents it. Questions and answers go
through the same functions as the HTML forms, so limits and rules cannot differ.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from flask import Blueprint, Flask, current_app, g, render_template, request
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..db import get_session
from ..identity import company_identity
from ..leads.contact import reader_for
from ..models import Answer, Person, Question, Topic
from ..questions import routing
from ..questions.ask import accept_answer, create_question, read_text_fields, validate_question
from ..questions.queue import post_answer, queue_for
from ..questions.states import LIVE, PUBLIC, Status, answered, in_, public_status
from ..questions.threads import get_public_thread, get_thread
from ..search.views import run_search, similar_threads
from ..staff.people import active_staff, all_topics
from ..staff.tokens import person_for_token
from .schemas import (
    AcceptIn,
    AnswerIn,
    AnswerOut,
    AskIn,
    AskOut,
    AssignIn,
    ContactRequestOut,
    Endpoint,
    PersonList,
    PersonOut,
    QuestionList,
    QuestionPage,
    QuestionQuery,
    QuestionSummary,
    Schema,
    SearchHit,
    SearchQuery,
    SearchResults,
    SimilarQuery,
    SimilarResults,
    Thread,
    TopicList,
    TopicOut,
    openapi_document,
)

bp = Blueprint("api", __name__)
PREFIX = "/api/v1"
PER_PAGE = 20
ENDPOINTS: list[Endpoint] = []


class ApiError(Exception):
    """An error answered as ``{"error": ..., "detail": ...}`` with its status."""

    def __init__(self, status: int, error: str, detail=None, headers: dict | None = None):
        super().__init__(error)
        self.status, self.error, self.detail, self.headers = status, error, detail, headers or {}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return {"error": exc.error, "detail": exc.detail}, exc.status, exc.headers


def _validation_detail(exc: ValidationError) -> list[dict]:
    return [{"field": ".".join(str(p) for p in err["loc"]) or "body", "message": err["msg"]}
            for err in exc.errors(include_url=False)]


def _parse(model: type[Schema], data) -> Schema:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, "invalid request", _validation_detail(exc)) from None


def _json_body(model: type[Schema]) -> Schema:
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported media type", "Send the body as application/json.")
    try:
        data = json.loads(request.get_data(cache=False) or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "malformed JSON", "The body is not valid JSON.") from None
    except RecursionError:  # json.loads recurses once per level of nesting
        raise ApiError(400, "malformed JSON", "The body is nested too deeply.") from None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid request", "The body must be a JSON object.")
    return _parse(model, data)


def _token_holder(roles: tuple[str, ...] = ("staff",)) -> Person:
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    person = person_for_token(get_session(), raw.strip()) if scheme.lower() == "bearer" else None
    if person is None:
        raise ApiError(401, "unauthorised", "A valid staff token is needed.",
                       {"WWW-Authenticate": 'Bearer realm="candor"'})
    if not person.role_set & set(roles):
        raise ApiError(403, "forbidden", f"This needs the role {' or '.join(roles)}.")
    return person


def endpoint(method: str, rule: str, **spec) -> Callable:
    """Route, validate and document one operation (see ``api_schemas.Endpoint``)."""

    def decorator(view: Callable) -> Callable:
        e = Endpoint(method=method, path=PREFIX + _openapi_path(rule), view=view, **spec)
        ENDPOINTS.append(e)

        @wraps(view)
        def wrapped(**kwargs):
            if e.auth:
                g.api_person = _token_holder(e.roles)
            if e.body:
                kwargs["payload"] = _json_body(e.body)
            if e.query:
                kwargs["query"] = _parse(e.query, request.args.to_dict())
            result = view(**kwargs)
            return current_app.json.response(result.model_dump(mode="json")), e.status

        bp.add_url_rule(PREFIX + rule, view.__name__, wrapped, methods=[method])
        return wrapped

    return decorator


def _openapi_path(rule: str) -> str:
    return rule.replace("<int:", "{").replace(">", "}")


# --- converting rows -------------------------------------------------------------------------


def _person(p: Person) -> PersonOut:
    return PersonOut(slug=p.slug, name=p.name, job_title=p.job_title,
                     profile_url=current_app.config["PUBLIC_URL"] + p.profile_url,
                     topics=[t.slug for t in p.topics])


def _answer(a: Answer) -> AnswerOut:
    return AnswerOut(id=a.id, body_html="" if a.hidden_reason else a.body_html,
                     hidden_reason=a.hidden_reason or None, created_at=a.created_at,
                     edited_at=a.edited_at, author=_person(a.person))


def _summary_fields(q: Question) -> dict:
    return dict(id=q.id, title=q.title, url=current_app.config["PUBLIC_URL"] + q.url,
                topic=q.topic.slug if q.topic else None, status=public_status(q),
                asked_at=q.created_at,
                answer_count=len(q.answers), accepted_answer_id=q.accepted_answer_id)


def _thread(q: Question) -> Thread:
    return Thread(
        **_summary_fields(q), body_html=q.body_html, display_name=q.display_name,
        edited=q.edited_at is not None,
        assigned_to=_person(q.assignee) if q.assignee and q.assignee.active else None,
        answers=[_answer(a) for a in q.answers],
        follow_ups=[{"id": f.id, "body_html": f.body_html, "created_at": f.created_at}
                    for f in q.follow_ups if f.status == "published"],
    )


def _checked_text(data: dict, required: dict[str, str]):
    """Run the form validation on JSON values; its messages become the 422 detail."""
    form = read_text_fields(data, required)
    if form.errors:
        raise ApiError(413 if form.status == 413 else 422, "invalid request", form.errors)
    return form


# --- operations ------------------------------------------------------------------------------


@endpoint("POST", "/questions", summary="Ask a question (no account needed)",
          body=AskIn, response=AskOut, status=201, errors=(400, 404, 409, 413, 415, 422),
          links={"ReadIt": {"operationId": "get_question",
                            "parameters": {"question_id": "$response.body#/id"}},
                 "AnswerIt": {"operationId": "answer_question",
                              "parameters": {"question_id": "$response.body#/id"}}})
def ask_question(payload: AskIn) -> AskOut:
    session = get_session()
    form, topic, person = validate_question(session, payload.model_dump())
    if form.errors.keys() & {"topic", "person"}:
        raise ApiError(404, "not found", form.errors)
    if form.errors:
        status = form.status if form.status in (409, 413) else 422  # 409: a duplicate
        raise ApiError(status, "invalid question", form.errors)
    question, token = create_question(session, form, topic, person)
    base = current_app.config["PUBLIC_URL"]
    return AskOut(id=question.id, url=base + question.url, manage_url=f"{base}/manage/{token}")


@endpoint("GET", "/questions", summary="List questions, newest first",
          query=QuestionQuery, response=QuestionPage, errors=(422,))
def list_questions(query: QuestionQuery) -> QuestionPage:
    session = get_session()
    where = [in_(PUBLIC)]  # held, rejected, hidden: never listed
    if query.topic:
        where.append(Question.topic.has(Topic.slug == query.topic))
    if query.status == "answered":
        where.append(answered())
    elif query.status:
        where.append(Question.status == Status(query.status))
    total = session.scalar(select(func.count(Question.id)).where(*where))
    rows = session.scalars(
        select(Question).where(*where).order_by(Question.created_at.desc(), Question.id.desc())
        .options(selectinload(Question.topic), selectinload(Question.answers))
        .limit(PER_PAGE).offset((query.page - 1) * PER_PAGE)
    )
    return QuestionPage(items=[QuestionSummary(**_summary_fields(q)) for q in rows],
                        page=query.page, per_page=PER_PAGE, total=total)


@endpoint("GET", "/questions/<int:question_id>", summary="A thread with its answers",
          response=Thread, errors=(404, 410), path_params={"question_id": "integer"})
def get_question(question_id: int) -> Thread:
    question = get_thread(question_id)
    if question.status == Status.HIDDEN:  # say so, and why, rather than pretend it never existed
        raise ApiError(410, "hidden by a moderator", {"reason": question.hidden_reason or None})
    return _thread(get_public_thread(question_id))


@endpoint("POST", "/questions/<int:question_id>/answers", summary="Answer as the token's owner",
          body=AnswerIn, response=AnswerOut, status=201, auth=True,
          errors=(400, 401, 403, 404, 409, 413, 415, 422), path_params={"question_id": "integer"},
          links={"AcceptIt": {"operationId": "accept",
                              "parameters": {"question_id": "$request.path.question_id"},
                              "requestBody": {"answer_id": "$response.body#/id"}}})
def answer_question(question_id: int, payload: AnswerIn) -> AnswerOut:
    question = get_thread(question_id)
    if question.status not in LIVE:  # as the web form: a held question takes no answers
        raise ApiError(409, "conflict", "This question is not published (held, hidden or "
                       "removed); it takes no answers.")
    form = _checked_text(payload.model_dump(), {"body": "your answer"})
    return _answer(post_answer(get_session(), question, g.api_person, form.values["body"]))


@endpoint("POST", "/questions/<int:question_id>/accept", summary="Mark the accepted answer",
          body=AcceptIn, response=Thread, auth=True,
          errors=(400, 401, 403, 404, 409, 413, 415, 422), path_params={"question_id": "integer"})
def accept(question_id: int, payload: AcceptIn) -> Thread:
    question = get_thread(question_id)
    if payload.answer_id not in {a.id for a in question.answers}:
        raise ApiError(409, "conflict", "That answer does not belong to this question.")
    accept_answer(question, payload.answer_id)
    return _thread(question)


@endpoint("POST", "/questions/<int:question_id>/assign", summary="Hand a question to a colleague",
          body=AssignIn, response=Thread, auth=True,
          errors=(400, 401, 403, 404, 413, 415, 422), path_params={"question_id": "integer"})
def assign(question_id: int, payload: AssignIn) -> Thread:
    session = get_session()
    question = get_thread(question_id)
    person = next((p for p in active_staff(session) if p.slug == payload.person), None)
    if person is None:
        raise ApiError(404, "not found", {"person": "No active staff member has that slug."})
    routing.assign(session, question, person, g.api_person)
    return _thread(question)


@endpoint("GET", "/queue", summary="Open questions routed to the token's owner, overdue first",
          response=QuestionList, auth=True, errors=(401, 403))
def queue() -> QuestionList:
    rows = queue_for(get_session(), g.api_person)
    return QuestionList(items=[QuestionSummary(**_summary_fields(q)) for q in rows])


@endpoint("GET", "/contact-requests/<int:request_id>",
          summary="A contact request (a lead): for the person asked, owners and admins",
          response=ContactRequestOut, auth=True, roles=("staff", "owner", "admin"),
          errors=(401, 403, 404), path_params={"request_id": "integer"})
def get_contact_request(request_id: int) -> ContactRequestOut:
    row = reader_for(get_session(), request_id, g.api_person)
    if row is None:  # another person's lead is as unknown as a missing one
        raise ApiError(404, "not found", "No contact request with that id for this token.")
    base = current_app.config["PUBLIC_URL"]
    return ContactRequestOut(
        id=row.id, question_id=row.question_id, question_title=row.question.title,
        question_url=base + row.question.url, staff_url=f"{base}/staff/q/{row.question_id}",
        answer_id=row.answer_id, person=row.person.slug, email=row.email, company=row.company,
        job_role=row.job_role, consented_at=row.consented_at, created_at=row.created_at,
        handled_at=row.handled_at)


@endpoint("GET", "/topics", summary="Topics questions can be routed by", response=TopicList)
def topics() -> TopicList:
    return TopicList(items=[TopicOut.model_validate(t) for t in all_topics(get_session())])


@endpoint("GET", "/people", summary="Staff who answer, with roles and topics",
          response=PersonList)
def people() -> PersonList:
    return PersonList(items=[_person(p) for p in active_staff(get_session())])


@endpoint("GET", "/search", summary="Search threads, curated items and people",
          query=SearchQuery, response=SearchResults, errors=(422,))
def search(query: SearchQuery) -> SearchResults:
    parsed, results, message = run_search(query.q, [query.kind] if query.kind else [],
                                          query.page)
    return SearchResults(query=parsed.text, total=results.total, estimated=results.estimated,
                         page=results.page,
                         pages=results.pages, message=message or None,
                         suggestion=parsed.suggestion or None,
                         results=[SearchHit(**h.as_json()) for h in results.hits])


@endpoint("GET", "/similar", summary="Answered threads like a title being typed",
          query=SimilarQuery, response=SimilarResults, errors=(422,))
def similar(query: SimilarQuery) -> SimilarResults:
    return SimilarResults(results=[SearchHit(**h.as_json()) for h in similar_threads(query.q)])


@bp.route("/api/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(_rest: str):
    """Any other /api path is not found, whatever the method (not the site's 405)."""
    raise ApiError(404, "not found", "No such API operation; see /api/openapi.json.")


@bp.get("/api/openapi.json")
def openapi():
    """The OpenAPI 3.1 document, generated from the declarations above."""
    return openapi_document(ENDPOINTS, current_app.config["PUBLIC_URL"],
                            company_identity().name)


@bp.get("/api/")
def docs():
    """A readable page of the same document."""
    document = openapi_document(ENDPOINTS, current_app.config["PUBLIC_URL"],
                            company_identity().name)
    return render_template("api.html", doc=document)
