"""Delivery: running the pipelines scaffolding defines, and deploying what they build.

It deserves its own room because it is where Keel stops describing software and starts
building it: a push to ``main`` of a Keel-hosted repository (or a person, on any interface)
starts a ``PipelineRun``; each stage is a Celery task that runs the project's own commands in
a fresh work folder, with a scrubbed environment and resource limits, and the package stage
stores a content-addressed artifact with its provenance, which the staging and production
stages deploy through each environment's target (``delivery.targets``,
``delivery.deployments``). Bake and the figures that follow (DORA, operational) build on
these rows.

Dependencies point one way: delivery reads scaffolding's pipelines and repositories (and the
``repository_pushed`` signal); scaffolding never imports delivery.
"""
