"""Pelican settings for Candor's static site: what never varies between instances.

The build adds what comes from Candor's configuration (content and theme paths, site name,
time zone, public URL, cache folders): see ``hub_api.site.settings.pelican_settings``, so the
backend and the build always agree on where things live.
Links are root-relative (``SITEURL = ""``): the same build works on any origin that
serves it at ``/``, e.g. ``candor serve`` on http://127.0.0.1:8000 or a CDN.
"""

from hub_api.site.plugin import newest_first

SITEURL = ""

ARTICLE_PATHS = ["curated"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["people", "images"]
THEME_STATIC_DIR = "theme"
PLUGINS = ["hub_api.site.plugin"]

DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y"
# Locale-dependent date names must not depend on the machine that builds.
LOCALE = ["C.UTF-8", "C"]

ARTICLE_URL = "curated/{slug}/"
ARTICLE_SAVE_AS = "curated/{slug}/index.html"
ARTICLE_LANG_URL = "curated/{slug}/{lang}/"
ARTICLE_LANG_SAVE_AS = "curated/{slug}/{lang}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_URL = "{slug}/{lang}/"
PAGE_LANG_SAVE_AS = "{slug}/{lang}/index.html"
# No translations: Pelican would otherwise group every article by slug (quadratic at 10,000).
ARTICLE_TRANSLATION_ID = None
PAGE_TRANSLATION_ID = None
ARTICLE_ORDER_BY = newest_first
# Drafts are never published.
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_PAGE_LANG_SAVE_AS = ""

# Only the front page is a direct template; Candor's own generator writes the topic
# and people pages. No author, tag, category or archive pages: nothing links to them.
DIRECT_TEMPLATES = ["index"]
PAGINATED_TEMPLATES = {"index": None}
DEFAULT_PAGINATION = False
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""

FEED_ALL_ATOM = "feeds/all.atom"
# Per-topic feeds (feeds/<topic>.atom) are written by hub_api.site.plugin, because
# topics are Candor's, not Pelican categories (every curated item is in "curated").
FEED_ATOM = None
FEED_RSS = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
FEED_MAX_ITEMS = 50

# Pelican does not autoescape by default; Candor's templates rely on it and mark only
# sanitised HTML (article.content, bios, answers) as |safe.
JINJA_ENVIRONMENT = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True}

SUMMARY_MAX_LENGTH = 40
RELATIVE_URLS = False
# Parsed, sanitised articles are cached per instance (CACHE_PATH, set by the build) and
# re-read only when a file's mtime changes, so a pick or an answer does not re-parse
# thousands of Markdown files. The cache folder is keyed by the code that shapes an article,
# so an upgrade never serves stale HTML.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "generator"
CHECK_MODIFIED_METHOD = "mtime"
