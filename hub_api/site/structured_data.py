"""schema.org JSON-LD for search engines: ``QAPage`` on thread pages, ``Person`` on profiles.

Both the Flask thread page and Pelican's profile pages call these (template globals
``qa_jsonld`` and ``person_jsonld``); the templates embed the result with ``|tojson``, which
escapes ``<``, ``>`` and ``&`` so no text can close the script element. A thread without an
answer carries no ``QAPage``: search engines require an accepted or suggested answer.
"""

from __future__ import annotations

import html
import re

from ..models import Answer, Person, Question

CONTEXT = "https://schema.org"
TAG = re.compile(r"<[^>]+>")


def plain(fragment: str) -> str:
    """Sanitised HTML as plain text (tags dropped, entities decoded, whitespace collapsed)."""
    return " ".join(html.unescape(TAG.sub(" ", fragment or "")).split())


def iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def organization(site_name: str, public_url: str) -> dict:
    return {"@type": "Organization", "name": site_name, "url": public_url + "/"}


def person(person: Person, site_name: str, public_url: str) -> dict:
    """A staff member: name, job title, profile URL, the company they work for."""
    found = {"@type": "Person", "name": person.name, "url": public_url + person.profile_url,
             "worksFor": organization(site_name, public_url)}
    if person.job_title:
        found["jobTitle"] = person.job_title
    return found


def person_jsonld(entry: Person, site_name: str, public_url: str) -> dict:
    """A profile page's ``Person``."""
    return {"@context": CONTEXT, **person(entry, site_name, public_url)}


def visible_answers(question: Question) -> list[Answer]:
    """The answers readers see (a moderator hid none of them)."""
    return [a for a in question.answers if not a.hidden_reason]


def qa_jsonld(question: Question, site_name: str, public_url: str) -> dict:
    """A thread's ``QAPage``: the question, its accepted and suggested answers, authors with
    their job titles, dates and the answer count."""
    url = public_url + question.url

    def answer(item: Answer) -> dict:
        return {"@type": "Answer", "text": plain(item.body_html),
                "dateCreated": iso(item.created_at), "datePublished": iso(item.created_at),
                "url": f"{url}#answer-{item.id}",
                "upvoteCount": 0, "author": person(item.person, site_name, public_url)}

    shown = visible_answers(question)
    accepted = [a for a in shown if a.id == question.accepted_answer_id]
    suggested = [a for a in shown if a.id != question.accepted_answer_id]
    main = {"@type": "Question", "name": question.title, "text": plain(question.body_html),
            "dateCreated": iso(question.created_at), "datePublished": iso(question.created_at),
            "answerCount": len(shown), "url": url,
            "author": {"@type": "Person", "name": question.display_name or "A reader"}}
    if accepted:
        main["acceptedAnswer"] = answer(accepted[0])
    if suggested:
        main["suggestedAnswer"] = [answer(a) for a in suggested]
    return {"@context": CONTEXT, "@type": "QAPage", "mainEntity": main}
