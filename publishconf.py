"""Production overrides for the Candor site build (``candor build`` uses this file)."""

from pelicanconf import *  # noqa: F403

# Pages keep root-relative links (SITEURL stays ""), so one build serves from any origin;
# feeds and their entries link absolutely to the public address (CANDOR_PUBLIC_URL).
SITEURL = ""
FEED_DOMAIN = CANDOR_PUBLIC_URL  # noqa: F405
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
