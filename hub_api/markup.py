"""Markdown to safe HTML: ``markdown`` renders, ``nh3`` (ammonia) keeps an allowlist.

Sanitising happens after rendering because Markdown itself can turn harmless-looking
text into live markup (``[x](javascript:…)``, raw HTML blocks).
"""

from __future__ import annotations

import markdown as md
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
    "h4", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


def sanitize_html(html: str) -> str:
    """Reduce any HTML to the allowlist: no scripts, styles, images, frames or event handlers."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Render user Markdown to HTML that is safe to embed unescaped."""
    html = md.markdown(text, extensions=["fenced_code", "tables", "sane_lists"],
                       output_format="html")
    return sanitize_html(html)
