"""The run as plain JSON for the run page's live updates (REST has its own serializer)."""


def run_payload(run) -> dict:
    return {
        "uuid": str(run.uuid),
        "slug": run.slug,
        "status": run.status,
        "current_step": run.current_step,
        "error": run.error,
        "attempts": run.attempts,
        "service_url": run.service.get_absolute_url() if run.service_id else "",
        "repository_url": run.repository_url,
        "steps": [
            {
                "name": s.name,
                "label": s.label,
                "status": s.status,
                "started_at": s.started_at.isoformat() if s.started_at else None,
                "finished_at": s.finished_at.isoformat() if s.finished_at else None,
                "duration": s.duration_seconds,
            }
            for s in run.steps.all()
        ],
        "log": [
            {
                "at": e.created_at.isoformat(),
                "step": e.step,
                "level": e.level,
                "message": e.message,
            }
            for e in run.log_entries.all()
        ],
    }
