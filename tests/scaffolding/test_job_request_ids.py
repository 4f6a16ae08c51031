"""A background job has its own request id, on the records it writes."""

import pytest

from portal.models import ChangeRecord
from portal.request_id import current

from .test_flow import request

pytestmark = pytest.mark.usefixtures("eager_celery")


def test_the_records_a_scaffold_job_writes_carry_its_job_id(
    member, django_capture_on_commit_callbacks
):
    request(member, django_capture_on_commit_callbacks)

    job_records = ChangeRecord.objects.filter(interface="job")
    ids = set(job_records.values_list("request_id", flat=True))
    assert job_records.exists() and len(ids) == 1
    assert ids.pop().startswith("job-")
    assert current() == ""  # the job's id ended with the job
