"""Named write tokens, kept only as hashes in a JSON file.

A token is 32 random bytes, shown once when it is made. The file keeps its
name, its role (``editor``, ``reviewer`` or ``admin``: see :mod:`geo.roles`),
the SHA-256 of the token and when it was made; a token of that entropy
needs no slow password hash. The file is rewritten atomically under a lock,
and re-read by a server whenever it changes, so ``incidentmap token add`` and
``token revoke`` take effect without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

import orjson
from filelock import Timeout

from geo.errors import IncidentMapError, InvalidInput, NotFound, StoreUnavailable
from geo.fileio import atomic_write_bytes, held
from geo.roles import DEFAULT_ROLE, RESERVED_NAMES, check_role
from geo.timespan import utc_now_rfc3339

TOKEN_PREFIX = "imt_"
LOCK_TIMEOUT = 10.0  # seconds to wait for another process rewriting the tokens file
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")  # fullmatch: "$" takes a final newline


class TokenFileInvalid(IncidentMapError):
    code = "TokenFileInvalid"
    status = 500


@dataclass(frozen=True)
class TokenEntry:
    """One editor's token as stored: never the token itself."""

    name: str
    sha256: str
    created: str
    role: str = DEFAULT_ROLE
    role_given: bool = True  # False: the file names no role (a token made before roles); DEFAULT_ROLE holds


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidInput(f"a token name is 1-64 letters, digits or . _ @ - and starts with a letter "
                           f"or digit, got {name!r}")
    if name in RESERVED_NAMES:
        raise InvalidInput(f"{name!r} is reserved for changes made on the command line; choose another name")
    return name


class TokenFile:
    """The tokens of one deployment, in ``path`` (JSON)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._cache: tuple[tuple | None, dict[str, TokenEntry]] = (None, {})
        self._mutex = threading.Lock()

    def __repr__(self) -> str:
        return f"TokenFile({str(self.path)!r})"

    def _signature(self) -> tuple | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def _read(self) -> dict[str, TokenEntry]:
        try:
            data = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except orjson.JSONDecodeError as exc:
            raise TokenFileInvalid(f"{self.path} is not valid JSON: {exc}") from None
        entries = {}
        try:
            for item in data["tokens"]:
                role = item.get("role")
                entry = TokenEntry(str(item["name"]), str(item["sha256"]), str(item.get("created") or ""),
                                   DEFAULT_ROLE if role is None else check_role(role), role is not None)
                entries[entry.name] = entry
        except (KeyError, TypeError, InvalidInput) as exc:
            raise TokenFileInvalid(f"{self.path} is not a tokens file: {exc}") from None
        return entries

    def entries(self) -> dict[str, TokenEntry]:
        """Name to entry, re-read when the file changed."""
        with self._mutex:
            signature = self._signature()
            if signature != self._cache[0] or signature is None:
                self._cache = (signature, self._read() if signature else {})
            return self._cache[1]

    def names(self) -> list[str]:
        return sorted(self.entries())

    def identify(self, token: str) -> str | None:
        """The name of the token's owner, or None. Compares every hash in constant time."""
        entry = self.find(token)
        return None if entry is None else entry.name

    def find(self, token: str) -> TokenEntry | None:
        """The entry (name and role) of the token, or None. Compares every hash in constant time."""
        digest = hash_token(token)
        found = None
        for entry in self.entries().values():
            if hmac.compare_digest(digest, entry.sha256):
                found = entry
        return found

    def _rewrite(self, change) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with held(Path(str(self.path) + ".lock"), LOCK_TIMEOUT):
                entries = self._read()
                change(entries)
                body = {"tokens": [{"name": e.name, "role": e.role, "sha256": e.sha256, "created": e.created}
                                   for e in sorted(entries.values(), key=lambda e: e.name)]}
                atomic_write_bytes(self.path, orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n",
                                   mode=0o600)
        except Timeout:
            raise StoreUnavailable(f"{self.path} is locked by another process (waited {LOCK_TIMEOUT:g} s); "
                                   "try again, or check that its folder allows new files") from None
        except OSError as exc:
            raise StoreUnavailable(f"cannot write {self.path}: {exc.strerror or exc}") from None

    def add(self, name: str, role: str = DEFAULT_ROLE) -> str:
        """Make a token for ``name`` with ``role`` and return it; only its hash is kept.
        InvalidInput if the name is taken."""
        check_name(name)
        check_role(role)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)

        def change(entries: dict[str, TokenEntry]) -> None:
            if name in entries:
                raise InvalidInput(f"a token named {name!r} exists; revoke it first to replace it")
            entries[name] = TokenEntry(name, hash_token(token), utc_now_rfc3339(), role)

        self._rewrite(change)
        return token

    def add_hash(self, name: str, sha256: str, role: str = DEFAULT_ROLE) -> None:
        """Register a token made elsewhere by its SHA-256 (hex)."""
        check_name(name)
        check_role(role)
        if not isinstance(sha256, str) or not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise InvalidInput(f"a token hash is 64 lowercase hex digits, got {sha256!r}")

        def change(entries: dict[str, TokenEntry]) -> None:
            entries[name] = TokenEntry(name, sha256, utc_now_rfc3339(), role)

        self._rewrite(change)

    def set_role(self, name: str, role: str) -> None:
        """Give ``name``'s token another role; the token itself stays valid."""
        check_role(role)

        def change(entries: dict[str, TokenEntry]) -> None:
            entry = entries.get(name)
            if entry is None:
                raise NotFound(f"no token named {name!r}; tokens: {', '.join(sorted(entries)) or 'none'}")
            entries[name] = TokenEntry(entry.name, entry.sha256, entry.created, role)

        self._rewrite(change)

    def revoke(self, name: str) -> None:
        def change(entries: dict[str, TokenEntry]) -> None:
            if entries.pop(name, None) is None:
                raise NotFound(f"no token named {name!r}; tokens: {', '.join(sorted(entries)) or 'none'}")

        self._rewrite(change)


def default_token_path(data_dir: Path) -> Path:
    return Path(data_dir) / "tokens.json"

