#!/usr/bin/env bash
# Serve the portal with demo data and a real Celery worker beside it; Ctrl-C stops both.
# With no CELERY_BROKER_URL the worker uses the filesystem transport under KEEL_DATA_DIR.
# The worker resumes runs whose worker died on its own timer (scaffolding/worker.py): no beat.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${KEEL_HOST:-127.0.0.1}
PORT=${KEEL_PORT:-8000}

$BIN/python manage.py migrate --noinput
$BIN/python manage.py seed_demo

$BIN/celery -A portal worker --loglevel=INFO --concurrency=2 --hostname "keel@%h" &
worker=$!
trap 'kill -TERM "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM

echo
echo "Keel is starting on http://$HOST:$PORT/ (Ctrl-C stops the portal and the worker)"
# Static files come from WhiteNoise (from the finders under DEBUG), as in production, so that
# a missing one gets the portal's 404 page rather than the static handler's technical one.
$BIN/python manage.py runserver --nostatic "$HOST:$PORT"
