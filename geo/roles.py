"""Who may do which write: the role of each token.

=========  =====================================================================
role       may
=========  =====================================================================
editor     create incidents (status ``reported``) and replace the ones it created,
           without changing their status; ingest reports with ``store=true``
reviewer   what an editor may, on any incident, and set ``status`` (accept or
           reject on the review page)
admin      everything: also delete, and restore from the history
=========  =====================================================================

Tokens are managed on the host with ``incidentmap token`` (whoever can write
the tokens file is an admin by definition); no HTTP route changes them.

A token made before roles existed has no role in the tokens file and counts as
an ``editor`` (DEFAULT_ROLE): before roles every token could delete and
restore, and the least surprising upgrade that closes that hole is to give
those tokens the least power and let an admin raise the ones that need more
(``incidentmap token role NAME reviewer``) without handing out new secrets.
Their incidents stay theirs, since the history recorded their bare name.

History entries record the actor as ``NAME (ROLE)``; changes made on the command
line as ``local`` or ``local:USER``. A role check that depends on the stored
feature (is it the editor's own? does the write change its status?) runs
inside the store's write, under its lock, as a :data:`geo.store.base.WriteGuard`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from geo.errors import Forbidden, InvalidInput

ROLES = ("editor", "reviewer", "admin")  # each may do what the ones before it may
DEFAULT_ROLE = "editor"
RESERVED_NAMES = frozenset({"local"})  # actors of command-line changes, never a token's name
_ACTOR = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9_.@-]{0,63})(?: \((?P<role>[a-z]+)\))?")


def check_role(role: object) -> str:
    """``role`` if it is one of ROLES; InvalidInput otherwise."""
    if role not in ROLES:
        raise InvalidInput(f"a token's role is one of {', '.join(ROLES)}, got {role!r}")
    return role  # type: ignore[return-value]


@dataclass(frozen=True)
class Principal:
    """The holder of a valid token: its name and role."""

    name: str
    role: str

    @property
    def actor(self) -> str:
        """How the history records this principal's changes: ``alice (editor)``."""
        return f"{self.name} ({self.role})"

    def may(self, role: str) -> bool:
        """True when this principal's role is ``role`` or above it."""
        return ROLES.index(self.role) >= ROLES.index(role)

    def require(self, role: str, doing: str) -> None:
        """Forbidden (403) unless this principal's role is ``role`` or above."""
        if not self.may(role):
            raise Forbidden(f"{doing} needs a token with the role {role} or above; "
                            f"{self.name!r} is {_article(self.role)} {self.role}")


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def actor_name(actor: str | None) -> str | None:
    """The token name in a history actor (``alice (editor)``, or ``alice`` from before roles);
    None for changes made on the command line or by nobody known."""
    match = _ACTOR.fullmatch(actor or "")
    if match is None or match["name"] in RESERVED_NAMES:
        return None
    return match["name"]


def _status(feature: dict | None) -> str:
    return ((feature or {}).get("properties") or {}).get("status") or "reported"


def write_guard(principal: Principal) -> Callable[[str, dict | None, dict, Callable[[], str | None]], None] | None:
    """The check a store runs on each feature a ``principal`` writes (None: nothing to check).

    An editor may create incidents that are ``reported`` and replace the incidents whose
    creating change it made, leaving their status as it is; reviewers and admins may create
    and replace any incident with any status."""
    if principal.may("reviewer"):
        return None

    def guard(fid: str, before: dict | None, after: dict, creator: Callable[[], str | None]) -> None:
        if before is not None:
            owner = actor_name(creator())
            if owner != principal.name:
                made_by = f"was created by {owner!r}" if owner else "was not created with an editor's token"
                raise Forbidden(f"incident {fid!r} {made_by}; an editor may replace only the incidents it "
                                f"created (ask a reviewer)")
        if _status(after) != _status(before):
            raise Forbidden(f"setting the status of {fid!r} to {_status(after)!r} needs a token with the "
                            f"role reviewer or above; {principal.name!r} is an editor")

    return guard
