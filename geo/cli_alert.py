"""``incidentmap alert``: rules that send new incidents to a webhook or through apprise."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import click

from geo.store import Store, is_database_url


def alerts_folder_of(location: Path | str) -> Path:
    """The folder holding the alerts of a store location: the data folder itself, or for a
    PostGIS URL the data folder ($INCIDENTMAP_DATA or the default one)."""
    from geo.datadir import default_data_dir

    return default_data_dir() if is_database_url(location) else Path(location)


def attach(store: Store, location: Path | str) -> None:
    """Tell the dispatcher where ``store``'s alerts live, before a command writes to it."""
    from geo.live.alerts_worker import attach as attach_folder

    attach_folder(store, alerts_folder_of(location))


def after_write(store: Store) -> None:
    """After a command's write: send its alerts, waiting at most INCIDENTMAP_ALERT_WAIT seconds,
    and say what was sent and what stays queued. Never fails the command."""
    from geo.live.alerts_worker import worker_for

    try:
        worker = worker_for(store)
        if worker is None:
            return
        worker.nudge()
        finished = worker.wait_idle(worker.settings.wait)
        totals = worker.totals
    except Exception as exc:  # the write is done: alerts must not turn it into a failure
        click.echo(f"alerts: not sent ({exc}); 'incidentmap alert run' sends them", err=True)
        return
    if not finished:
        click.echo(f"alerts: {totals.delivered} sent; still sending after {worker.settings.wait:g} s, so the rest "
                   "stays queued for 'incidentmap alert run' or the server", err=True)
    elif totals.failed or totals.gave_up:
        click.echo(f"alerts: {totals.delivered} sent, {totals.failed} queued for a retry, {totals.gave_up} given up "
                   f"({totals.errors[-1] if totals.errors else 'see incidentmap alert list'}); "
                   "'incidentmap alert run' or the server retries", err=True)
    elif totals.delivered:
        click.echo(f"alerts: {totals.delivered} sent", err=True)


def _ago(text: str | None) -> str:
    return text or "never"


def register(cli: click.Group, data_option, friendly_errors: Callable, locate: Callable,
             existing_store: Callable) -> None:
    """Add the ``alert`` group; ``locate`` turns --data into a store location, ``existing_store``
    opens it without creating anything."""

    @cli.group()
    def alert() -> None:
        """Send new incidents that match a rule to a webhook, email, Slack, Matrix, Telegram, ..."""

    @alert.command("add")
    @click.option("--webhook", metavar="URL", help="POST each incident here as GeoJSON, signed (see 'alert secret').")
    @click.option("--notify", metavar="APPRISE_URL",
                  help="Send a message through apprise: mailto://, slack://, matrix://, tgram://, ...")
    @click.option("--site", "sites", multiple=True, metavar="ID", help="Only incidents on this known site (repeat for several).")
    @click.option("--near", metavar="LON,LAT,KM", help="Only incidents within KM kilometres of LON,LAT.")
    @click.option("--type", "types", multiple=True, metavar="T", help="Only this event type (repeat for several).")
    @click.option("--min-killed", type=int, default=None, metavar="N", help="Only incidents with at least N killed.")
    @click.option("--updates", is_flag=True, help="Also alert when a stored incident changes (a merged report).")
    @data_option
    @friendly_errors
    def add(webhook: str | None, notify: str | None, sites: tuple[str, ...], near: str | None,
            types: tuple[str, ...], min_killed: int | None, updates: bool, data_dir: Path | None) -> None:
        """Add a rule; incidents stored from now on that match it are sent."""
        from geo.errors import InvalidInput
        from geo.live import alerts
        from geo.live.alerts_state import editing
        from geo.live.alerts_worker import last_seq
        from geo.timespan import utc_now_rfc3339

        if bool(webhook) == bool(notify):
            raise InvalidInput("give one of --webhook URL or --notify APPRISE_URL")
        rule = alerts.AlertRule(id="", webhook=alerts.check_webhook(webhook) if webhook else None,
                                notify=alerts.check_notify(notify) if notify else None,
                                near=alerts.parse_near(near) if near else None, types=alerts.check_types(list(types)),
                                min_killed=alerts.check_min_killed(min_killed), updates=updates,
                                created=utc_now_rfc3339())
        location = locate(data_dir)
        store = existing_store(location)
        for site in dict.fromkeys(sites):
            if store.get("sites", site) is None:
                raise InvalidInput(f"--site {site!r} is not a known site id (see /collections/sites/items)")
        rule.sites = list(dict.fromkeys(sites))
        folder = alerts_folder_of(location)
        folder.mkdir(parents=True, exist_ok=True)  # a PostGIS store's alerts go in the DATA folder
        now = last_seq(store)
        with editing(folder) as state:
            rule.id, rule.since = str(state.next_id), now
            state.next_id += 1
            state.rules.append(rule)
            if state.cursor is None:
                state.cursor = now
        click.echo(f"alert {rule.id}: {rule.target()} for {rule.describe()}")
        if webhook:
            secret = alerts.webhook_secret(folder)
            click.echo(f"requests carry {alerts.SIGNATURE_HEADER}: sha256=<HMAC-SHA256 of the body> with the "
                       f"secret (also shown by 'incidentmap alert secret'):", err=True)
            click.echo(secret)

    @alert.command("list")
    @data_option
    @friendly_errors
    def list_(data_dir: Path | None) -> None:
        """The rules, what each has sent, what is queued, and the last error."""
        from geo.live.alerts_state import read_state

        state = read_state(alerts_folder_of(locate(data_dir)))
        if not state.rules:
            click.echo("no alert rules ('incidentmap alert add' makes one)", err=True)
            return
        for rule in state.rules:
            status = state.rule_status(rule.id)
            queued = [e for e in state.outbox if e["rule"] == rule.id]
            last = status["last_delivered"]
            click.echo(f"{rule.id}\t{rule.target()}\t{rule.describe()}")
            click.echo(f"\tsent {status['delivered']}, last {_ago(last and last['at'])}"
                       f"{' (' + last['incident'] + ')' if last else ''}; queued {len(queued)}; "
                       f"failed attempts {status['failed_attempts']}, given up {status['gave_up']}")
            if status["last_error"]:
                click.echo(f"\tlast error {status['last_error_at']}: {status['last_error']}")

    @alert.command("remove")
    @click.argument("rule_id")
    @data_option
    @friendly_errors
    def remove(rule_id: str, data_dir: Path | None) -> None:
        """Remove a rule and whatever it still has queued."""
        from geo.errors import NotFound
        from geo.live.alerts_state import editing

        with editing(alerts_folder_of(locate(data_dir))) as state:
            if state.rule(rule_id) is None:
                raise NotFound(f"no alert rule {rule_id!r} ('incidentmap alert list' shows them)")
            state.rules = [r for r in state.rules if r.id != rule_id]
            state.outbox = [e for e in state.outbox if e["rule"] != rule_id]
            state.status.pop(rule_id, None)
        click.echo(f"removed alert {rule_id}", err=True)

    @alert.command("run")
    @data_option
    @friendly_errors
    def run(data_dir: Path | None) -> None:
        """Queue what was stored since the last run and send everything queued now, retries included."""
        from geo.live.alerts_worker import AlertSettings, run_once

        location = locate(data_dir)
        store = existing_store(location)
        started = time.monotonic()
        report = run_once(store, alerts_folder_of(location), AlertSettings.from_env(), everything=True)
        click.echo(f"alerts: {report.queued} queued, {report.delivered} sent, {report.failed} failed and queued "
                   f"for a retry, {report.gave_up} given up ({time.monotonic() - started:.1f} s)")
        for error in report.errors:
            click.echo(f"  {error}", err=True)

    @alert.command("secret")
    @data_option
    @friendly_errors
    def secret(data_dir: Path | None) -> None:
        """Print the secret that signs webhook requests (made on first use)."""
        from geo.live.alerts import webhook_secret

        click.echo(webhook_secret(alerts_folder_of(locate(data_dir))))
