"""Named tokens: made once, kept as hashes, listed and revoked from the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from geo.cli import cli
from geo.errors import InvalidInput, NotFound
from geo.tokens import TokenFile, hash_token


def test_a_new_token_is_kept_only_as_its_hash(tmp_path):
    tokens = TokenFile(tmp_path / "tokens.json")
    secret = tokens.add("alice")
    text = (tmp_path / "tokens.json").read_text()
    assert secret not in text and hash_token(secret) in text
    assert tokens.identify(secret) == "alice"
    assert tokens.identify(secret + "x") is None and tokens.identify("") is None
    assert (tmp_path / "tokens.json").stat().st_mode & 0o077 == 0  # not readable by others


def test_each_editor_has_their_own_token(tmp_path):
    tokens = TokenFile(tmp_path / "tokens.json")
    a, b = tokens.add("alice"), tokens.add("bob")
    assert a != b
    assert (tokens.identify(a), tokens.identify(b)) == ("alice", "bob")
    tokens.revoke("alice")
    assert tokens.identify(a) is None and tokens.identify(b) == "bob"


@pytest.mark.parametrize("name", ["", "has space", "-dash-first", "x" * 65, "new\nline"])
def test_bad_names_are_refused(tmp_path, name):
    with pytest.raises(InvalidInput):
        TokenFile(tmp_path / "tokens.json").add(name)


def test_names_are_unique_and_revoking_an_unknown_name_says_so(tmp_path):
    tokens = TokenFile(tmp_path / "tokens.json")
    tokens.add("alice")
    with pytest.raises(InvalidInput, match="exists"):
        tokens.add("alice")
    with pytest.raises(NotFound, match="alice"):
        tokens.revoke("nobody")


def test_a_second_reader_sees_changes_without_restarting(tmp_path):
    server_view = TokenFile(tmp_path / "tokens.json")
    assert server_view.entries() == {}
    secret = TokenFile(tmp_path / "tokens.json").add("alice")
    assert server_view.identify(secret) == "alice"
    TokenFile(tmp_path / "tokens.json").revoke("alice")
    assert server_view.identify(secret) is None


# ---- the command line ------------------------------------------------------------------------

def test_token_add_list_revoke(tmp_path):
    runner = CliRunner()
    folder = tmp_path / "data"
    added = runner.invoke(cli, ["token", "add", "alice", "--data", str(folder)])
    assert added.exit_code == 0, added.output
    secret = added.stdout.strip()
    assert secret.startswith("imt_") and len(secret) > 40
    assert "shown once" in added.stderr
    stored = json.loads((folder / "tokens.json").read_text())
    assert [t["name"] for t in stored["tokens"]] == ["alice"] and secret not in json.dumps(stored)

    runner.invoke(cli, ["token", "add", "bob", "--data", str(folder)])
    listed = runner.invoke(cli, ["token", "list", "--data", str(folder)])
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["alice", "bob"]
    assert secret not in listed.output

    again = runner.invoke(cli, ["token", "add", "alice", "--data", str(folder)])
    assert again.exit_code == 1 and "exists" in again.stderr
    revoked = runner.invoke(cli, ["token", "revoke", "alice", "--data", str(folder)])
    assert revoked.exit_code == 0
    assert TokenFile(folder / "tokens.json").names() == ["bob"]
    missing = runner.invoke(cli, ["token", "revoke", "alice", "--data", str(folder)])
    assert missing.exit_code == 1 and "no token named 'alice'" in missing.stderr


def test_token_file_option_and_environment(tmp_path, monkeypatch):
    runner = CliRunner()
    path = tmp_path / "elsewhere" / "editors.json"
    assert runner.invoke(cli, ["token", "add", "ops", "--file", str(path)]).exit_code == 0
    monkeypatch.setenv("INCIDENTMAP_TOKENS", str(path))
    assert runner.invoke(cli, ["token", "list"]).stdout.startswith("ops\t")


# ---- roles -------------------------------------------------------------------------------------

def test_token_add_with_a_role_shows_it_in_the_list(tmp_path):
    runner = CliRunner()
    folder = str(tmp_path / "data")
    for name, role in (("ed", "editor"), ("rev", "reviewer"), ("boss", "admin")):
        added = runner.invoke(cli, ["token", "add", name, "--role", role, "--data", folder])
        assert added.exit_code == 0 and f"role {role}" in added.stderr
    assert runner.invoke(cli, ["token", "add", "plain", "--data", folder]).exit_code == 0
    listed = [line.split("\t")[:2] for line in runner.invoke(cli, ["token", "list", "--data", folder]).stdout.splitlines()]
    assert listed == [["boss", "admin"], ["ed", "editor"], ["plain", "editor"], ["rev", "reviewer"]]
    bad = runner.invoke(cli, ["token", "add", "x", "--role", "owner", "--data", folder])
    assert bad.exit_code == 2 and "owner" in bad.stderr


def test_token_role_changes_the_role_and_keeps_the_token(tmp_path):
    runner = CliRunner()
    folder = str(tmp_path / "data")
    secret = runner.invoke(cli, ["token", "add", "ed", "--data", folder]).stdout.strip()
    assert runner.invoke(cli, ["token", "role", "ed", "admin", "--data", folder]).exit_code == 0
    entry = TokenFile(tmp_path / "data" / "tokens.json").find(secret)
    assert (entry.name, entry.role) == ("ed", "admin")
    missing = runner.invoke(cli, ["token", "role", "nobody", "admin", "--data", folder])
    assert missing.exit_code == 1 and "no token named 'nobody'" in missing.stderr


def test_a_token_from_before_roles_is_listed_as_an_editor(tmp_path):
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({"tokens": [{"name": "old", "sha256": hash_token("s"), "created": "2024-01-01"}]}))
    entry = TokenFile(path).find("s")
    assert (entry.role, entry.role_given) == ("editor", False)
    listed = CliRunner().invoke(cli, ["token", "list", "--file", str(path)]).stdout
    assert listed.startswith("old\teditor (made before roles)\t")
    TokenFile(path).add("new", "admin")  # rewriting the file writes the old token's role out
    assert json.loads(path.read_text())["tokens"][1] == {
        "name": "old", "role": "editor", "sha256": hash_token("s"), "created": "2024-01-01"}


@pytest.mark.parametrize("role", ["owner", "", None, "Admin"])
def test_an_unknown_role_is_refused(tmp_path, role):
    with pytest.raises(InvalidInput, match="role"):
        TokenFile(tmp_path / "tokens.json").add("alice", role)


def test_local_is_no_token_name(tmp_path):
    with pytest.raises(InvalidInput, match="reserved"):
        TokenFile(tmp_path / "tokens.json").add("local")
