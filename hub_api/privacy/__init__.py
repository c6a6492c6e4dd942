"""Privacy: the personal-field registry, export/erase, abuse defences, rate limits."""
