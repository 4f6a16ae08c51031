"""Catalog as code: Backstage-format descriptors read into the catalog, kept in sync with where
they live, and written back out.

It deserves its own room because it is the catalog's second way in and out: it reads
descriptors from places Keel does not own (files, git repositories, GitHub and GitLab), keeps
them in sync on a schedule and on push, and writes the catalog back out in the same format. It
writes only through the ``catalog``, ``teams`` and ``accounts`` actions; none of those apps
imports it.
"""
