"""A Telegram Desktop channel export (``result.json``): each message a report.

The export is one JSON object: the chat's ``name``, ``type`` and ``id``, and ``messages``, each with
an ``id``, a ``type`` ("message", or "service" for joins and pins), a ``date`` (ISO, local time)
and a ``text`` that is a string or a list of strings and entity objects (``{"type": "bold",
"text": ...}``). A message's report has the channel as outlet, the message's day as publication
date, and ``https://t.me/<username>/<id>`` (a source added with ``--channel``) or
``https://t.me/c/<channel id>/<id>`` as URL. Messages are remembered by id, so re-reading a grown
export adds only the new ones; an export whose size and time have not changed is not read again.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from geo.errors import InvalidInput
from geo.live.seen import SourceState
from geo.live.sources import Source
from geo.live.watch import ItemFailed
from geo.report import Report, parse_report

if TYPE_CHECKING:
    from geo.live.watch import Watcher

MAX_EXPORT_BYTES = 512 * 1024 * 1024


def message_text(text: object) -> str:
    """A message's ``text``: a string, or the strings and entities' texts of a list, joined."""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(part if isinstance(part, str) else str(part.get("text", "")) if isinstance(part, dict)
                       else "" for part in text)
    return ""


def load_export(path: Path) -> dict:
    """The export's chat object; InvalidInput when it is no single-chat export."""
    size = path.stat().st_size
    if size > MAX_EXPORT_BYTES:
        raise InvalidInput(f"{path.name} is {size:,} bytes; exports over {MAX_EXPORT_BYTES:,} bytes are refused")
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"{path.name} is not valid JSON ({exc})") from None
    if isinstance(data, dict) and "chats" in data and "messages" not in data:
        raise InvalidInput(f"{path.name} is a whole account's export; export the one channel "
                           "(the channel's menu, Export chat history, JSON)")
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise InvalidInput(f"{path.name} is not a Telegram Desktop chat export (no \"messages\" list)")
    return data


def message_url(source: Source, chat_id: object, message_id: int) -> str | None:
    if source.channel:
        return f"https://t.me/{source.channel}/{message_id}"
    if isinstance(chat_id, int) or (isinstance(chat_id, str) and chat_id.isdigit()):
        return f"https://t.me/c/{chat_id}/{message_id}"
    return None


def message_report(source: Source, chat: dict, message: dict) -> Report:
    """One message as a report (InvalidInput when it has no usable text or date)."""
    date = message.get("date")
    day = date[:10] if isinstance(date, str) and len(date) >= 10 else None
    data = {"text": message_text(message.get("text")), "outlet": chat.get("name") if isinstance(chat.get("name"), str)
            else None, "url": message_url(source, chat.get("id"), message["id"]), "published": day}
    return parse_report(orjson.dumps(data), name=f"{Path(source.location).name} message {message['id']}")


def poll(source: Source, state: SourceState, watcher: Watcher) -> None:
    path = Path(source.location)
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise InvalidInput(f"the export {source.location} does not exist") from None
    fingerprint = f"{stat.st_size}:{stat.st_mtime_ns}"
    if fingerprint == state.fingerprint:
        return
    chat = load_export(path)
    for message in chat["messages"]:
        if not isinstance(message, dict) or message.get("type") != "message" or not isinstance(message.get("id"), int):
            continue
        key = str(message["id"])
        if watcher.state.seen(source.id, key):
            continue
        if not message_text(message.get("text")).strip():  # a photo or a sticker with no caption
            watcher.state.mark(source.id, key, "no text")
            continue
        title = message_text(message.get("text"))
        try:
            watcher.ingest(source, key, message_report(source, chat, message))
        except InvalidInput as exc:
            watcher.item_failed(source, key, title, exc.description)
        except ItemFailed as exc:
            watcher.item_failed(source, key, title, str(exc))
    state.fingerprint = fingerprint
