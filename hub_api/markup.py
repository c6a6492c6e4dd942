"""Markdown to safe HTML: ``markdown`` renders, ``nh3`` (ammonia) keeps an allowlist.

Sanitising happens after rendering because Markdown itself can turn harmless-looking
text into live markup (``[x](javascript:…)``, raw HTML blocks).
"""

from __future__ import annotations

import re
import threading
from urllib.parse import urlsplit

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
_local = threading.local()
# A link as nh3 writes it (attribute values always double-quoted, quotes escaped inside;
# links never nest), to unwrap those whose target was unsafe and so removed.
_LINK = re.compile(r'<a((?:\s+[a-z-]+="[^"]*")*)\s*>(.*?)</a>', re.DOTALL)
_IMAGE = re.compile(r'<img((?:\s+[a-z-]+="[^"]*")*)\s*/?>')


def _same_site_images(tag: str, attr: str, value: str) -> str | None:
    """Drop an image source that would load from another origin."""
    if tag == "img" and attr == "src":
        parts = urlsplit(value)
        if parts.scheme or parts.netloc or value.startswith("//"):
            return None
    return value


def sanitize_html(html: str, *, local_images: bool = False) -> str:
    """Reduce any HTML to the allowlist: no scripts, styles, frames or event handlers.

    User posts get no images at all; published pages (``local_images``) may show images
    served from this site, never from another origin.
    """
    tags, attributes = ALLOWED_TAGS, ALLOWED_ATTRIBUTES
    if local_images:
        tags = tags | {"img", "figure", "figcaption"}
        attributes = {**attributes, "img": {"src", "alt", "title", "width", "height"}}
    clean = _unwrap_dead_links(nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=_same_site_images if local_images else None,
    ))
    return _IMAGE.sub(_finish_image, clean) if local_images else clean


def _unwrap_dead_links(html: str) -> str:
    """A link whose target was removed (``javascript:``, ``data:`` …) becomes its plain text:
    an ``<a>`` without ``href`` is invalid HTML and looks like a link that does nothing."""
    return _LINK.sub(lambda m: m.group(0) if ' href="' in m.group(1) else m.group(2), html)


def _finish_image(match: re.Match) -> str:
    """An image whose source was removed goes (it would show nothing); one without a text
    alternative gets an empty one (decorative), as valid HTML requires."""
    attributes = match.group(1)
    if ' src="' not in attributes:
        return ""
    return match.group(0) if ' alt="' in attributes else f'<img{attributes} alt="">'


def _markdown() -> md.Markdown:
    """One Markdown instance per thread: setting one up costs more than most renders."""
    if not hasattr(_local, "markdown"):
        _local.markdown = md.Markdown(extensions=["fenced_code", "tables", "sane_lists"],
                                      output_format="html")
    return _local.markdown


def render_markdown(text: str) -> str:
    """Render user Markdown to HTML that is safe to embed unescaped."""
    return sanitize_html(_markdown().reset().convert(text))
