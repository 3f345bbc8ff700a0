"""The catalogue's part for diagnostics (see base/messages.py)."""

from policy_match.base.message import Message

ENTRIES: dict[str, Message] = {}
