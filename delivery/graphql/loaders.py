from django.contrib.auth import get_user_model

from portal.graphql.loaders import ByForeignKey, ById
from scaffolding.models import Pipeline

from ..models import Artifact, Deployment, Environment, PipelineRun, StageRun

stages_of_run = ByForeignKey(StageRun, "run")
artifact_by_id = ById(Artifact)
pipeline_by_id = ById(Pipeline)
user_by_id = ById(get_user_model())
environment_by_id = ById(Environment, "pipeline")
run_by_id = ById(PipelineRun)
deployment_by_id = ById(Deployment)
