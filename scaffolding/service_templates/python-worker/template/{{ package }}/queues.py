"""The queue the worker reads, behind a small interface.

``DirectoryQueue`` keeps one JSON file per message in a folder and claims a message by renaming
it, which is atomic, so several worker processes can share one folder safely.
"""

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Message:
    id: str
    body: dict
    attempts: int = 0


class DirectoryQueue:
    def __init__(self, root, name):
        self.root = Path(root) / name
        for sub in ("ready", "claimed"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    def put(self, body, attempts=0):
        message_id = uuid.uuid4().hex
        tmp = self.root / f".{message_id}.tmp"
        tmp.write_text(json.dumps({"body": body, "attempts": attempts}))
        os.replace(tmp, self.root / "ready" / f"{message_id}.json")
        return message_id

    def get(self):
        """Claim the oldest ready message, or None."""
        for path in sorted((self.root / "ready").glob("*.json"), key=lambda p: p.stat().st_mtime):
            claimed = self.root / "claimed" / path.name
            try:
                os.replace(path, claimed)
            except FileNotFoundError:
                continue  # another consumer took it
            data = json.loads(claimed.read_text())
            return Message(id=path.stem, body=data["body"], attempts=data["attempts"])
        return None

    def ack(self, message):
        (self.root / "claimed" / f"{message.id}.json").unlink(missing_ok=True)

    def __len__(self):
        return len(list((self.root / "ready").glob("*.json")))
