"""What every source of media (live Pixabay or the demo catalogue) shares."""

from __future__ import annotations


class PageOutOfRange(Exception):
    """The source refused a page past the last reachable result.

    Pixabay answers such a page with a 400 instead of an empty page; the
    search service turns it into an empty page with the right total.
    """
