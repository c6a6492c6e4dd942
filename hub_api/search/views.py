"""The search page, the JSON search and similar-question endpoints, and the synonym admin.

Reader routes here never touch the session: no cookie is set, and any input gives results
or a friendly message (the parser cannot fail).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request

from ..db import get_session
from ..security import check_csrf
from ..staff.auth import require_role
from . import gaps, synonyms
from .backend import Results
from .documents import KINDS
from .query import MAX_QUERY_CHARS, ParsedQuery

bp = Blueprint("search", __name__)
MAX_PAGE = 100
KIND_LABELS = {"thread": "Questions", "curated": "Articles", "person": "People"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _service():
    return current_app.extensions["candor_search"]


class BadRequest(ValueError):
    pass


def _read_args() -> tuple[str, list[str], int]:
    q = request.args.get("q", "")
    kinds = [k for k in request.args.getlist("kind") if k]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise BadRequest(f"kind must be one of {', '.join(KINDS)}")
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        raise BadRequest("page must be a whole number") from None
    if not 1 <= page <= MAX_PAGE:
        raise BadRequest(f"page must be between 1 and {MAX_PAGE}")
    return q, list(dict.fromkeys(kinds)), page


def run_search(q: str, kinds: list[str], page: int) -> tuple[ParsedQuery, Results, str]:
    """Search and explain: the message is what a person sees when there are no results."""
    service = _service()
    query = service.parse(q)
    if not query.text:
        return query, Results(page=page), "Type a word or two to search questions, " \
                                          "articles and people."
    if query.empty and query.must_not:
        return query, Results(page=page), "Add a word to look for: a minus sign only leaves " \
                                          "words out."
    if query.empty:
        return query, Results(page=page), "There is nothing to search for in that: use words " \
                                          "of two letters or more, not only common words " \
                                          "like “the”."
    results = service.search(query, kinds, page)
    message = ""
    if not results.total:
        message = "Nothing found. Try fewer or different words, or ask the people who work here."
        if page == 1:
            gaps.record_miss(service.engine, query.text)
    elif not results.hits:
        message = "There are no more results."
    return query, results, message


@bp.get("/search")
def search_page():
    """Ranked results across questions, articles and people, with highlighted passages."""
    try:
        q, kinds, page = _read_args()
    except BadRequest as exc:
        abort(400, str(exc))
    query, results, message = run_search(q, kinds, page)
    base_query = urlencode([("q", query.text)] + [("kind", k) for k in kinds])
    # A misspelt word was also searched as its correction; the link searches only that.
    suggestion_query = urlencode([("q", query.suggestion)] + [("kind", k) for k in kinds])
    html = render_template("search.html", q=query.text, kinds=kinds, results=results,
                           base_query=base_query, suggestion=query.suggestion,
                           suggestion_query=suggestion_query,
                           message=message, kind_labels=KIND_LABELS,
                           max_chars=MAX_QUERY_CHARS, max_page=MAX_PAGE)
    return current_app.make_response(html)


def similar_threads(q: str) -> list:
    """Answered threads similar to ``q`` (a title being typed). Not counted as a gap."""
    return _service().similar(q[:MAX_QUERY_CHARS]) if q.strip() else []


@bp.post("/ask/similar")
def ask_similar():
    """The no-JavaScript step: show similar answered questions, keep what was typed."""
    from ..questions.ask import Form, ask_form_page

    values = {k: request.form.get(k, "") for k in ("display_name", "title", "body", "topic",
                                                    "person")}
    title = values["title"][:MAX_QUERY_CHARS]
    return ask_form_page(Form(values), similar=_service().similar(title) if title else [],
                         similar_checked=True)


@bp.route("/staff/search", methods=["GET", "POST"])
@require_role("admin")
def staff_synonyms():
    """Admins define the hub's vocabulary; the most frequent content gaps sit beside it."""
    session = get_session()
    error, status = "", 200
    if request.method == "POST":
        check_csrf()
        try:
            if request.form.get("action") == "remove":
                synonyms.remove(session, request.form.get("term", ""),
                                request.form.get("expansion", ""))
            else:
                synonyms.add(session, request.form.get("term", ""),
                             request.form.get("expansion", ""))
            session.commit()
            return redirect("/staff/search", 303)
        except synonyms.SynonymError as exc:
            session.rollback()
            error, status = str(exc).capitalize() + ".", 400
    return render_template("staff/search.html", synonyms=synonyms.listing(session),
                           gaps=gaps.top_gaps(session), error=error,
                           form=request.form if error else {}), status
