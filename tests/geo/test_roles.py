"""Roles of tokens and how history actors name them (geo/roles.py)."""

from __future__ import annotations

import pytest

from geo.errors import Forbidden
from geo.roles import Principal, actor_name, write_guard


@pytest.mark.parametrize("actor, name", [
    ("alice (editor)", "alice"), ("bob.b@x (admin)", "bob.b@x"), ("alice", "alice"),  # from before roles
    ("local", None), ("local:root", None), (None, None), ("", None), ("alice (editor)\n", None),
])
def test_the_token_name_in_a_history_actor(actor, name):
    assert actor_name(actor) == name


def test_each_role_may_what_the_ones_below_it_may():
    editor, reviewer, admin = (Principal("p", r) for r in ("editor", "reviewer", "admin"))
    assert [p.may("reviewer") for p in (editor, reviewer, admin)] == [False, True, True]
    assert [p.may("admin") for p in (editor, reviewer, admin)] == [False, False, True]
    assert write_guard(reviewer) is None and write_guard(admin) is None
    with pytest.raises(Forbidden, match="needs a token with the role admin or above; 'p' is a reviewer"):
        reviewer.require("admin", "deleting a feature")


def incident(status: str = "reported") -> dict:
    return {"properties": {"status": status}}


@pytest.mark.parametrize("before, after, creator, allowed", [
    (None, incident(), None, True),
    (None, incident("verified"), None, False),
    (incident(), incident(), "eddie (editor)", True),
    (incident(), incident(), "eddie", True),  # its creation recorded before roles
    (incident(), incident(), "olga (editor)", False),
    (incident(), incident(), "local:root", False),
    (incident(), incident(), None, False),
    (incident(), incident("rejected"), "eddie (editor)", False),
    (incident("verified"), incident("verified"), "eddie (editor)", True),
])
def test_what_an_editor_may_write(before, after, creator, allowed):
    guard = write_guard(Principal("eddie", "editor"))
    if allowed:
        guard("f-1", before, after, lambda: creator)
    else:
        with pytest.raises(Forbidden):
            guard("f-1", before, after, lambda: creator)
