"""``incidentmap token``: make, list and revoke the named tokens that allow writes."""

from __future__ import annotations

from pathlib import Path

import click

from geo.roles import DEFAULT_ROLE, ROLES
from geo.tokens import TokenFile, default_token_path


def _token_file(data_dir: Path | None, tokens_file: Path | None) -> TokenFile:
    import os

    from geo.datadir import default_data_dir

    if tokens_file is not None:
        return TokenFile(tokens_file)
    if os.environ.get("INCIDENTMAP_TOKENS"):
        return TokenFile(Path(os.environ["INCIDENTMAP_TOKENS"]))
    return TokenFile(default_token_path(data_dir if data_dir is not None else default_data_dir()))


def register(cli: click.Group, data_option, friendly_errors) -> None:
    """Add the ``token`` group to the ``incidentmap`` command."""
    file_option = click.option(
        "--file", "tokens_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="Tokens file (default: $INCIDENTMAP_TOKENS, else tokens.json in the data folder).")

    @cli.group()
    def token() -> None:
        """Named bearer tokens for writes; only their hashes are stored."""

    role_option = click.option(
        "--role", type=click.Choice(ROLES), default=DEFAULT_ROLE, show_default=True,
        help="editor: create incidents and replace its own; reviewer: also set status, on any incident; "
             "admin: also delete and restore.")

    @token.command("add")
    @click.argument("name")
    @role_option
    @data_option
    @file_option
    @friendly_errors
    def add(name: str, role: str, data_dir: Path | None, tokens_file: Path | None) -> None:
        """Make a token for NAME with a role and print it once; keep it, it cannot be shown again."""
        tokens = _token_file(data_dir, tokens_file)
        secret = tokens.add(name, role)
        click.echo(f"token for {name!r}, role {role} (shown once; {tokens.path} keeps only its hash):",
                   err=True)
        click.echo(secret)

    @token.command("role")
    @click.argument("name")
    @click.argument("role", type=click.Choice(ROLES))
    @data_option
    @file_option
    @friendly_errors
    def role_(name: str, role: str, data_dir: Path | None, tokens_file: Path | None) -> None:
        """Give NAME's token another ROLE; the token stays the same."""
        tokens = _token_file(data_dir, tokens_file)
        tokens.set_role(name, role)
        click.echo(f"{name!r} is now {role}", err=True)

    @token.command("list")
    @data_option
    @file_option
    @friendly_errors
    def list_(data_dir: Path | None, tokens_file: Path | None) -> None:
        """Names of the tokens, their roles, when each was made, and the start of its hash."""
        tokens = _token_file(data_dir, tokens_file)
        entries = tokens.entries()
        if not entries:
            click.echo(f"no tokens in {tokens.path}: writes are refused", err=True)
            return
        for entry in sorted(entries.values(), key=lambda e: e.name):
            role = entry.role if entry.role_given else f"{entry.role} (made before roles)"
            click.echo(f"{entry.name}\t{role}\t{entry.created}\tsha256:{entry.sha256[:12]}…")

    @token.command("revoke")
    @click.argument("name")
    @data_option
    @file_option
    @friendly_errors
    def revoke(name: str, data_dir: Path | None, tokens_file: Path | None) -> None:
        """Remove NAME's token; writes with it fail from now on."""
        tokens = _token_file(data_dir, tokens_file)
        tokens.revoke(name)
        click.echo(f"revoked {name!r}", err=True)
