"""Self-service scaffolding: turn a form into a running, catalogued service.

It deserves its own room because it is the one part of Keel that reaches outside the
database: it renders project templates, creates git repositories and delivery pipelines, and
does so in background jobs that must survive retries, crashes and concurrent requests. The
catalog records what exists; scaffolding creates it and then registers it through
``catalog.actions``, so dependencies point one way (scaffolding -> catalog, teams).
"""
