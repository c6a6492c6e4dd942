"""Production overrides for the Candor site build (``candor build`` uses this file).

Pages keep root-relative links (SITEURL stays ""), so one build serves from any origin; feeds
and their entries link absolutely to the public address (``CANDOR_PUBLIC_URL``), which the
build sets as ``FEED_DOMAIN`` (``hub_api.site.settings``).
"""

from pelicanconf import *  # noqa: F403

RELATIVE_URLS = False
