"""The sources a watcher reads: feeds, drop folders and channel exports.

Those added with ``incidentmap source add`` are kept in the data folder (``watch/sources.json``,
written atomically under a lock), so a deployment runs ``incidentmap watch`` with no long command
line; those given on the command line are added to them for that run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from geo.errors import InvalidInput, NotFound
from geo.fileio import atomic_write_bytes, held

KINDS = ("feed", "folder", "telegram")
SOURCES_FILE = "sources.json"
WATCH_FOLDER = "watch"


@dataclass(frozen=True)
class Source:
    """One thing to watch: ``kind`` is feed (a URL), folder or telegram (a result.json path)."""

    kind: str
    location: str
    channel: str | None = None  # a public channel's username, for t.me/<name>/<id> links

    @property
    def id(self) -> str:
        """Short and stable: the kind and a hash of the location (the seen items are filed under it)."""
        return f"{self.kind}-{hashlib.sha256(self.location.encode()).hexdigest()[:10]}"

    def to_dict(self) -> dict:
        data = {"kind": self.kind, "location": self.location}
        if self.channel:
            data["channel"] = self.channel
        return data


def make_source(kind: str, location: str, channel: str | None = None) -> Source:
    """A checked source: a feed needs an http(s) URL; a folder or export path is made absolute."""
    if kind not in KINDS:
        raise InvalidInput(f"source kind must be one of {', '.join(KINDS)}, got {kind!r}")
    location = location.strip()
    if not location:
        raise InvalidInput(f"a {kind} source needs a location")
    if channel is not None and kind != "telegram":
        raise InvalidInput("--channel is for a telegram source")
    if kind == "feed":
        parts = urlsplit(location)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput(f"a feed must be an http or https URL, got {location!r}")
        return Source(kind, location)
    path = Path(location).expanduser().resolve()
    if kind == "folder" and path.exists() and not path.is_dir():
        raise InvalidInput(f"{location!r} is a file, not a folder")
    if kind == "telegram" and path.is_dir():
        raise InvalidInput(f"{location!r} is a folder; give the export's result.json")
    if channel is not None:
        channel = channel.strip().removeprefix("https://t.me/").removeprefix("@").strip("/")
        if not channel.replace("_", "").isalnum():
            raise InvalidInput(f"a channel's username has letters, digits and _ only, got {channel!r}")
    return Source(kind, str(path), channel or None)


class SourceList:
    """``watch/sources.json`` in a data folder: the sources kept there."""

    def __init__(self, watch_dir: Path):
        self.folder = Path(watch_dir)
        self.path = self.folder / SOURCES_FILE

    def load(self) -> list[Source]:
        try:
            data = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            return []
        except orjson.JSONDecodeError as exc:
            raise InvalidInput(f"{self.path} is not valid JSON ({exc}); fix or remove it") from None
        if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
            raise InvalidInput(f"{self.path} must be {{\"sources\": [...]}}")
        return [Source(s["kind"], s["location"], s.get("channel")) for s in data["sources"]
                if isinstance(s, dict) and s.get("kind") in KINDS and isinstance(s.get("location"), str)]

    def _write(self, sources: list[Source]) -> None:
        body = {"sources": [s.to_dict() for s in sources]}
        atomic_write_bytes(self.path, orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n")

    def add(self, source: Source) -> bool:
        """Keep ``source``; False when it was already kept."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with held(self.folder / ".sources.lock", timeout=10):
            sources = self.load()
            if any(s.id == source.id for s in sources):
                return False
            self._write(sources + [source])
        return True

    def remove(self, what: str) -> Source:
        """Forget the source whose id or location is ``what``; NotFound when none is."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with held(self.folder / ".sources.lock", timeout=10):
            sources = self.load()
            match = [s for s in sources if what in (s.id, s.location) or
                     (s.kind != "feed" and str(Path(what).expanduser().resolve()) == s.location)]
            if not match:
                raise NotFound(f"no source {what!r} in {self.path}; 'incidentmap source list' shows them")
            self._write([s for s in sources if s not in match])
        return match[0]
