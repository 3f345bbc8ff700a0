"""The catalogue's part for pages (see base/messages.py)."""

from policy_match.base.message import Message

ENTRIES: dict[str, Message] = {}
