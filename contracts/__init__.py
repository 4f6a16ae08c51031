"""API contract governance: every published version is compared with the one before it,
breaking changes are named with the consumers they break, and a breaking version reaches its
consumers only once they have acknowledged it or the old major has a sunset date.

It deserves its own room because it is a policy over the catalog rather than part of it: it
reads API versions and consumptions, decides whether a publish may proceed, and keeps its own
records (diffs, acknowledgements, sunsets, notifications). It writes the catalog only through
``catalog.actions``; ``catalog`` calls into it at one point, when a version is published.
"""
