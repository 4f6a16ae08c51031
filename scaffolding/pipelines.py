"""Delivery pipelines as code, and the catalog descriptor, added to every new repository.

One definition of the stages, written three ways:

- ``.keel/pipeline.yaml``: the portal-native definition, which the portal stores as a
  ``Pipeline`` with its ``PipelineStage`` rows;
- ``.github/workflows/delivery.yml``: GitHub Actions;
- ``.gitlab-ci.yml``: GitLab CI.

The stages are build and unit tests → package (artifact + provenance) → staging → bake →
production, and the rules: a stage promotes only when it succeeds; a failed deployment or
smoke test rolls the environment back; a failed bake stops the pipeline (production never
runs). These files are generated in Python with ``yaml.safe_dump`` rather than templated, so
no user parameter is ever parsed as YAML or Jinja, and CI expressions (``${{ ... }}``) are
plain text to us.
"""

import json
import math
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError

from .registry import ServiceTemplate

FILES_DIR = Path(__file__).resolve().parent / "pipeline_files"
NATIVE_PATH = ".keel/pipeline.yaml"
GITHUB_PATH = ".github/workflows/delivery.yml"
GITLAB_PATH = ".gitlab-ci.yml"
DESCRIPTOR_PATH = "catalog-info.yaml"
# Asks Keel whether the API definitions would be accepted (ci/contract_check.py); it needs
# KEEL_URL and a read-only KEEL_TOKEN from the CI system's settings.
CONTRACT_CHECK = "python ci/contract_check.py"
REPORT = "python ci/report.py"  # each stage reported to Keel as a signed CDEvent

# (name, environment, steps, on_success, on_failure)
STAGES = (
    (
        "build",
        "",
        ["install pinned dependencies", "unit tests", "contract check"],
        "promote",
        "stop",
    ),
    ("package", "", ["artifact with run-time dependencies", "provenance.json"], "promote", "stop"),
    ("staging", "staging", ["deploy", "smoke test"], "promote", "rollback"),
    ("bake", "staging", ["watch health and metrics against the thresholds"], "promote", "stop"),
    ("production", "production", ["deploy", "smoke test"], "done", "rollback"),
)


# spec.bake.thresholds: the name, what it bounds (for messages), and whether it is a count.
BAKE_THRESHOLDS = {
    "error_rate": ("the highest 5xx rate, a fraction such as 0.01", False),
    "throttle_rate": ("the highest 429 rate, a fraction such as 0.05", False),
    "p99_ms": ("the highest p99 latency in milliseconds", False),
    "min_requests": ("the fewest requests in the window for the figures to be judged", True),
}


def bake_defaults() -> dict:
    """``spec.bake`` as written into new definitions, and what a missing key means."""

    def plain(number):  # 600, not 600.0, in the YAML
        return int(number) if float(number).is_integer() else number

    return {
        "seconds": plain(settings.KEEL_DELIVERY_BAKE_SECONDS),
        "interval_seconds": plain(settings.KEEL_DELIVERY_BAKE_INTERVAL_SECONDS),
        "thresholds": {
            "error_rate": settings.KEEL_DELIVERY_BAKE_ERROR_RATE,
            "throttle_rate": settings.KEEL_DELIVERY_BAKE_THROTTLE_RATE,
            "p99_ms": plain(settings.KEEL_DELIVERY_BAKE_P99_MS),
            "min_requests": settings.KEEL_DELIVERY_BAKE_MIN_REQUESTS,
        },
    }


def _number(value, where: str, *, integer=False, maximum=None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(f"{where} must be a number, not {value!r}.")
    if value < 0:
        raise ValidationError(f"{where} must not be negative (it is {value}).")
    if integer and value != int(value):
        raise ValidationError(f"{where} must be a whole number (it is {value}).")
    if maximum is not None and value > maximum:
        raise ValidationError(f"{where} must be at most {maximum:g} (it is {value}).")
    return int(value) if integer else float(value)


def bake_settings(definition: dict) -> dict:
    """The definition's ``spec.bake`` with the defaults filled in, or a ValidationError that
    says which value is wrong."""
    spec = (definition or {}).get("spec") or {}
    given = spec.get("bake") or {}
    if not isinstance(given, dict):
        raise ValidationError(
            "spec.bake must be a mapping (seconds, interval_seconds, thresholds)."
        )
    defaults = bake_defaults()
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ValidationError(f"spec.bake has unknown keys: {', '.join(map(str, unknown))}.")
    limit = settings.KEEL_DELIVERY_BAKE_MAX_SECONDS
    seconds = _number(given.get("seconds", defaults["seconds"]), "spec.bake.seconds", maximum=limit)
    interval = _number(
        given.get("interval_seconds", defaults["interval_seconds"]),
        "spec.bake.interval_seconds",
        maximum=max(seconds, 0.05),
    )
    if interval <= 0:
        raise ValidationError("spec.bake.interval_seconds must be more than 0.")
    thresholds = given.get("thresholds") or {}
    if not isinstance(thresholds, dict):
        raise ValidationError(
            f"spec.bake.thresholds must be a mapping of {', '.join(BAKE_THRESHOLDS)}."
        )
    unknown = sorted(set(thresholds) - set(BAKE_THRESHOLDS))
    if unknown:
        raise ValidationError(
            f"spec.bake.thresholds has unknown keys: {', '.join(map(str, unknown))} "
            f"(known: {', '.join(BAKE_THRESHOLDS)})."
        )
    judged = {}
    for name, (meaning, integer) in BAKE_THRESHOLDS.items():
        value = thresholds.get(name, defaults["thresholds"][name])
        where = f"spec.bake.thresholds.{name} ({meaning})"
        maximum = 1 if name.endswith("_rate") else None
        judged[name] = _number(value, where, integer=integer, maximum=maximum)
    return {"seconds": seconds, "interval_seconds": interval, "thresholds": judged}


def bake_command(bake: dict) -> str:
    """``ci/deploy.py bake`` with the definition's bake settings, for external CI systems."""
    t = bake["thresholds"]
    return (
        f"python ci/deploy.py bake --environment staging --seconds {bake['seconds']:g} "
        f"--interval {bake['interval_seconds']:g} --error-rate {t['error_rate']:g} "
        f"--throttle-rate {t['throttle_rate']:g} --p99-ms {t['p99_ms']:g} "
        f"--min-requests {t['min_requests']}"
    )


def native_definition(slug: str, team: str, template: ServiceTemplate) -> dict:
    return {
        "apiVersion": "keel/v1",
        "kind": "Pipeline",
        "metadata": {"name": slug, "owner": team},
        "spec": {
            "trigger": {"branch": "main"},
            "artifact": {"path": "dist/", "provenance": "dist/provenance.json"},
            "rules": {
                "promote": "only when the stage succeeded",
                "test_failure": "roll the environment back",
                "bake_failure": "stop the pipeline",
            },
            "stages": [
                {
                    "name": name,
                    "environment": env,
                    "steps": steps,
                    "on_success": success,
                    "on_failure": failure,
                }
                for name, env, steps, success, failure in STAGES
            ],
            "bake": bake_defaults(),
            "commands": {
                "test": template.test_command,
                "contract": CONTRACT_CHECK,
                "package": "python ci/package.py",
                "deploy": "python ci/deploy.py deploy --environment <env>",
                "smoke": "python ci/deploy.py smoke --environment <env>",
                "bake": bake_command(bake_settings({})),
                "rollback": "python ci/deploy.py rollback --environment <env>",
            },
        },
    }


def github_actions(template: ServiceTemplate, python_version: str) -> dict:
    setup = [
        {"uses": "actions/checkout@v4"},
        {"uses": "actions/setup-python@v5", "with": {"python-version": python_version}},
    ]
    download = {"uses": "actions/download-artifact@v4", "with": {"name": "package", "path": "dist"}}
    keel = {"KEEL_URL": "${{ vars.KEEL_URL }}", "KEEL_TOKEN": "${{ secrets.KEEL_TOKEN }}"}
    contract_check = [{"run": CONTRACT_CHECK, "env": keel}] if template.provides_api else []
    on_main = "github.ref == 'refs/heads/main'"

    def reported(stage, steps, first=()):
        """The stage's steps between its reports to Keel (started; finished, whatever the
        outcome), on main only."""
        return [
            *setup,
            *({"if": on_main, "run": f"{REPORT} {line}"} for line in first),
            {"if": on_main, "run": f"{REPORT} task started {stage}"},
            *steps,
            {
                "if": f"always() && {on_main}",
                "run": f"{REPORT} task finished {stage} --outcome ${{{{ job.status }}}}",
            },
        ]

    def deploy_job(env, needs):
        ask = [{"run": f"{REPORT} can-promote {env}"}] if env == "production" else []
        return {
            "needs": needs,
            "runs-on": "ubuntu-latest",
            "environment": env,
            "steps": reported(
                env,
                [
                    download,
                    *ask,
                    {"run": f"python ci/deploy.py deploy --environment {env}"},
                    {"run": f"python ci/deploy.py smoke --environment {env}"},
                    {"run": f"{REPORT} deployed {env}"},
                ],
            ),
        }

    def rollback_job(env, needs):
        return {
            "needs": needs,
            "if": f"${{{{ failure() && needs.{needs}.result == 'failure' }}}}",
            "runs-on": "ubuntu-latest",
            "environment": env,
            "steps": [*setup, {"run": f"python ci/deploy.py rollback --environment {env}"}],
        }

    return {
        "name": "delivery",
        "on": {"push": {"branches": ["main"]}, "pull_request": {}},
        "concurrency": {"group": "delivery-${{ github.ref }}", "cancel-in-progress": False},
        "permissions": {"contents": "read"},
        "env": {**keel, "KEEL_EVENTS_SECRET": "${{ secrets.KEEL_EVENTS_SECRET }}"},
        "jobs": {
            "build": {
                "runs-on": "ubuntu-latest",
                "steps": reported(
                    "build",
                    [
                        {"run": "pip install --require-hashes -r requirements.txt"},
                        {"run": template.test_command},
                        *contract_check,
                    ],
                    first=["pipeline started"],
                ),
            },
            "package": {
                "needs": "build",
                "if": on_main,
                "runs-on": "ubuntu-latest",
                "steps": reported(
                    "package",
                    [
                        {"run": "python ci/package.py"},
                        {"run": f"{REPORT} artifact"},
                        {
                            "uses": "actions/upload-artifact@v4",
                            "with": {"name": "package", "path": "dist/"},
                        },
                    ],
                ),
            },
            "staging": deploy_job("staging", "package"),
            "rollback-staging": rollback_job("staging", "staging"),
            "bake": {
                "needs": "staging",
                "runs-on": "ubuntu-latest",
                "environment": "staging",
                "steps": reported("bake", [{"run": bake_command(bake_settings({}))}]),
            },
            "production": deploy_job("production", "bake"),
            "rollback-production": rollback_job("production", "production"),
            "report": {
                "needs": ["build", "package", "staging", "bake", "production"],
                "if": f"always() && {on_main}",
                "runs-on": "ubuntu-latest",
                "steps": [
                    *setup,
                    {
                        "run": f"{REPORT} pipeline finished --outcome "
                        "${{ needs.production.result }}"
                    },
                ],
            },
        },
    }


def gitlab_ci(template: ServiceTemplate, python_version: str) -> dict:
    main_only = [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]

    def reported(stage, job):
        """The job reporting to Keel that it started, and (after_script, which runs whatever
        the outcome and knows it as $CI_JOB_STATUS) that it finished."""
        return {
            **job,
            "before_script": [f"{REPORT} task started {stage}"],
            "after_script": [f"{REPORT} task finished {stage}"],
        }

    def deploy_job(env, stage, needs):
        ask = [f"{REPORT} can-promote {env}"] if env == "production" else []
        return reported(env, {
            "stage": stage,
            "needs": [needs],
            "environment": {"name": env},
            "rules": main_only,
            "script": [
                *ask,
                f"python ci/deploy.py deploy --environment {env}",
                f"python ci/deploy.py smoke --environment {env}",
                f"{REPORT} deployed {env}",
            ],
        })  # fmt: skip

    def finished(outcome, when):
        return {
            "stage": ".post",
            "rules": [{**main_only[0], "when": when}],
            "script": [f"{REPORT} pipeline finished --outcome {outcome}"],
        }

    def rollback_job(env, stage, needs):
        return {
            "stage": stage,
            "needs": [needs],
            "when": "on_failure",
            "environment": {"name": env, "action": "access"},
            "rules": [{**main_only[0], "when": "on_failure"}],
            "script": [f"python ci/deploy.py rollback --environment {env}"],
        }

    return {
        "stages": ["build", "package", "staging", "bake", "production"],
        "default": {"image": f"python:{python_version}-slim"},
        "report-started": {
            "stage": ".pre",
            "rules": main_only,
            "script": [f"{REPORT} pipeline started"],
        },
        "build": reported(
            "build",
            {
                "stage": "build",
                "script": [
                    "pip install --require-hashes -r requirements.txt",
                    template.test_command,
                    *([CONTRACT_CHECK] if template.provides_api else []),
                ],
            },
        ),  # fmt: skip
        "package": reported(
            "package",
            {
                "stage": "package",
                "needs": ["build"],
                "rules": main_only,
                "script": ["python ci/package.py", f"{REPORT} artifact"],
                "artifacts": {"paths": ["dist/"]},
            },
        ),  # fmt: skip
        "staging": deploy_job("staging", "staging", "package"),
        "rollback-staging": rollback_job("staging", "bake", "staging"),
        "bake": reported(
            "bake",
            {
                "stage": "bake",
                "needs": ["staging"],
                "environment": {"name": "staging", "action": "verify"},
                "rules": main_only,
                "script": [bake_command(bake_settings({}))],
            },
        ),  # fmt: skip
        "production": deploy_job("production", "production", "bake"),
        "rollback-production": rollback_job("production", ".post", "production"),
        "report-succeeded": finished("success", "on_success"),
        "report-failed": finished("failure", "on_failure"),
    }


def descriptor(slug: str, parameters: dict, template: ServiceTemplate, repository_url: str) -> dict:
    """``catalog-info.yaml``: what the catalog knows about the service, kept in its repository."""
    spec = {
        "kind": template.kind,
        "owner": parameters["owner_team"],
        "lifecycle": parameters.get("lifecycle", "experimental"),
        "tier": parameters.get("tier", 3),
        "language": template.language,
        "framework": template.framework,
        "runtime": template.runtime,
        "repository": repository_url,
        "pipeline": NATIVE_PATH,
        "template": {"name": template.slug, "version": template.version},
    }
    if parameters.get("data_domain"):
        spec["domain"] = parameters["data_domain"]
    if template.provides_api:
        spec["providesApis"] = [
            {
                "name": f"{slug}-api",
                "type": template.provides_api["type"],
                "definition": template.provides_api["path"],
            }
        ]
    return {
        "apiVersion": "keel/v1",
        "kind": "Service",
        "metadata": {
            "name": slug,
            "title": parameters["name"],
            "description": parameters.get("description", ""),
        },
        "spec": spec,
    }


def _service_file(slug: str, template: ServiceTemplate) -> dict:
    """``.keel/service.json``: the version the next release carries (its APIs' too: bump the
    major when a contract breaks) and the APIs ``ci/contract_check.py`` checks."""
    apis = []
    if template.provides_api:
        apis = [{"name": f"{slug}-api", "definition": template.provides_api["path"]}]
    return {"service": slug, "version": "0.1.0", "apis": apis}


def _yaml(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def write_delivery_files(
    folder: Path, *, slug: str, parameters: dict, template: ServiceTemplate, repository_url: str
) -> list[str]:
    """Write the pipeline definitions, their scripts and the descriptor into ``folder``."""
    python_version = str(parameters.get("python_version", "3.11"))
    files = {
        NATIVE_PATH: _yaml(native_definition(slug, parameters["owner_team"], template)),
        GITHUB_PATH: _yaml(github_actions(template, python_version)),
        GITLAB_PATH: _yaml(gitlab_ci(template, python_version)),
        DESCRIPTOR_PATH: _yaml(descriptor(slug, parameters, template, repository_url)),
        ".keel/service.json": json.dumps(_service_file(slug, template), indent=2) + "\n",
        "ci/package.py": (FILES_DIR / "package.py").read_text(),
        "ci/contract_check.py": (FILES_DIR / "contract_check.py").read_text(),
        "ci/deploy.py": (FILES_DIR / "deploy.py").read_text(),
        "ci/report.py": (FILES_DIR / "report.py").read_text(),
    }
    for relative, text in files.items():
        path = Path(folder) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return sorted(files)
