"""A local provider whose push waits while a flag file exists: lets a service-tier test kill
the worker in the middle of a step. Selected with KEEL_REPOSITORY_PROVIDER set to this
class's dotted path, in the worker's environment only."""

import os
import time
from pathlib import Path

from scaffolding.providers.local import LocalProvider


class SlowLocalProvider(LocalProvider):
    def push(self, info, folder, *, message, author):
        flag = Path(os.environ.get("KEEL_TEST_SLOW_PUSH_FLAG", "/nonexistent"))
        deadline = time.monotonic() + 120
        while flag.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        return super().push(info, folder, message=message, author=author)
