"""The messages of the outbox: their kinds, reasons, deterministic ids and Chinese text.

A message is a value: everything a sender needs (the text, the item's contact details in the
payload) is fixed when it is planned, so a later change of the rulebook never rewrites what
was already queued.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from policy_match.base.messages import Worded
from policy_match.dsl.ir import Policy

if TYPE_CHECKING:
    from policy_match.core.rulebook import Rulebook


class MessageKind(Worded):
    """What a message does; the value is what the ledger stores (``outbox.kind``)."""

    MATCH = "match"  # 精准: newly qualifies for an item in force
    ANNOUNCE = "announce"  # 普惠: an item for every enterprise, told once
    PROMPT = "prompt"  # 请补充信息: the verdict waits for named tags
    WITHDRAW = "withdraw"  # 撤回: what was told no longer holds


class Reason(Worded):
    """Why a message is due; the value is what the ledger stores (``outbox.reason``)."""

    ELIGIBLE = "eligible"
    BROAD = "broad"
    MISSING = "missing"
    INELIGIBLE = "ineligible"
    EXPIRED = "expired"
    NOT_IN_FORCE = "not_in_force"
    REPEALED = "repealed"


KINDS = tuple(MessageKind)
# the kinds that leave a standing "told" fact (withdrawn later); prompts are only remembered
TELLING = frozenset({MessageKind.MATCH, MessageKind.ANNOUNCE})

KIND_ZH = {kind: kind.zh for kind in MessageKind}  # the catalogue's words, by member
REASON_ZH = {reason: reason.zh for reason in Reason}

PAYLOAD_FIELDS = ("category", "department", "contact", "phone", "url", "channel",
                  "no_application", "valid_from", "valid_to")


@dataclass(frozen=True)
class Message:
    kind: MessageKind
    enterprise: str
    item: str
    generation: int
    item_name: str
    push: str | None
    as_of: dt.date
    reason: Reason
    trigger: str  # the state that triggered it: item version, missing tags, reason
    text: str
    payload: dict[str, Any]
    missing: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.kind.value, self.enterprise, self.item, self.generation)

    @property
    def digest(self) -> bytes:
        """The content part of the message's id (:func:`message_id`)."""
        return id_digest(self.kind, self.enterprise, self.item, self.generation, self.trigger)


# A message id is 12 bytes (24 hex digits): the message's ``seq`` (its place in the outbox,
# 6 bytes big-endian) then the first 6 bytes of SHA-256 over its kind, enterprise, item,
# generation and trigger. Ids sort in planning order, so the outbox's id index grows at its
# end (a hash alone landed each new id on a random page of the index: a batch of 2,000
# enterprises rewrote most of it); the digest makes an id of another ledger, or a typo,
# name no message. Deterministic all the same: seqs are handed out in planning order
# (max + 1; a batch rolled back gives its numbers back), so a rerun plans the same ids.
ID_SEQ_BYTES = 6
ID_DIGEST_BYTES = 6


def id_digest(kind: str, enterprise: str, item: str, generation: int, trigger: str) -> bytes:
    text = "\x1f".join((str(kind), enterprise, item, str(generation), trigger))
    return hashlib.sha256(text.encode("utf-8")).digest()[:ID_DIGEST_BYTES]


def id_bytes(seq: int, digest: bytes) -> bytes:
    """The id of the message at ``seq`` whose content has ``digest``, as the ledger stores
    it (``outbox.id``)."""
    return seq.to_bytes(ID_SEQ_BYTES, "big") + digest


def message_id(seq: int, digest: bytes) -> str:
    """:func:`id_bytes` as text: what a sender reads, exports and marks sent."""
    return id_bytes(seq, digest).hex()


@dataclass(frozen=True)
class Body:
    """What a message says besides its keys, as the ledger stores it (``bodies``): one
    object shared by every message that reads the same. ``fields`` is the row's text
    (:func:`~policy_match.apps.push.schema.body_digest` digests it)."""

    kind: str
    item: str
    item_name: str
    push: str | None
    reason: str
    missing: str | None  # the missing tags' JSON list (prompts only)
    text: str
    payload: str  # the item's details' JSON

    @property
    def fields(self) -> tuple[str, str, str, str | None, str, str | None, str, str]:
        return (self.kind, self.item, self.item_name, self.push, self.reason, self.missing,
                self.text, self.payload)


# a message to record: enterprise, item, kind (the ledger's code), generation, the content
# part of its id (:attr:`Message.digest`) and its body
PlannedRow = tuple[str, str, int, int, bytes, Body]


@dataclass(frozen=True)
class Planned:
    """Messages to record, in planning order, one row each: what :class:`Message` objects
    would hold, without an object per message (a plan records tens of thousands a batch)."""

    rows: list[PlannedRow]

    def __len__(self) -> int:
        return len(self.rows)


def id_text(kind: str, item: str, trigger: str) -> tuple[str, str, str]:
    """The parts of the text :func:`id_digest` hashes around the enterprise and generation,
    so a maker hashes ``prefix + enterprise + middle + str(generation) + suffix`` without
    joining every part again per message."""
    return f"{kind}\x1f", f"\x1f{item}\x1f", f"\x1f{trigger}"


def item_version(book: Rulebook, policy: Policy) -> str:
    """A digest of the item's rule text (its declaration), or of its id when unknown."""
    span = policy.span
    text = book.sources.get(span.path, "")[span.start:span.end] or policy.id
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def payload(policy: Policy) -> dict[str, Any]:
    """The item's details a sender shows beside the text (``PAYLOAD_FIELDS``)."""
    return {
        "category": policy.category, "department": policy.department,
        "contact": policy.contact, "phone": policy.phone, "url": policy.url,
        "channel": policy.channel, "no_application": policy.no_application,
        "valid_from": policy.valid_from.isoformat() if policy.valid_from else None,
        "valid_to": policy.valid_to.isoformat() if policy.valid_to else None,
    }


def _how_to_apply(policy: Policy) -> str:
    parts = []
    if policy.no_application:
        parts.append("该事项免申即享，无需另行申请。")
    elif policy.channel:
        parts.append(f"申请方式：{policy.channel}。")
    if policy.valid_to:
        parts.append(f"适用时间至{policy.valid_to.isoformat()}。")
    if policy.department:
        contact = "，".join(x for x in (policy.contact, policy.phone) if x)
        parts.append(f"执行部门：{policy.department}" + (f"（{contact}）" if contact else "")
                     + "。")
    if policy.url:
        parts.append(f"详情：{policy.url}")
    return "".join(parts)


def _withdrawal_cause(reason: Reason, policy: Policy | None, as_of: dt.date) -> str:
    if reason is Reason.INELIGIBLE:
        return "根据最新企业信息，贵企业已不符合该事项的申请条件"
    if reason is Reason.EXPIRED:
        if policy is not None and policy.valid_to:
            return f"该事项适用时间已于{policy.valid_to.isoformat()}届满"
        return "该事项适用时间已届满"
    if reason is Reason.NOT_IN_FORCE:
        return f"该事项在{as_of.isoformat()}不在适用时间内"
    if reason is Reason.REPEALED:
        return "该事项已下架"
    raise ValueError(f"{reason!r} is not a reason to withdraw")


def message_text(kind: MessageKind, reason: Reason, name: str, item: str,
                 policy: Policy | None, missing: Sequence[str], as_of: dt.date) -> str:
    """The Chinese text of a message (``policy`` is ``None`` only for a repealed item)."""
    title = f"“{name}”（{item}）"
    if kind is MessageKind.MATCH:
        assert policy is not None
        return f"【政策推送】贵企业符合{title}的申请条件。" + _how_to_apply(policy)
    if kind is MessageKind.ANNOUNCE:
        assert policy is not None
        content = f"{policy.content}。" if policy.content else ""
        return f"【普惠政策】{title}面向全部企业公布。{content}" + _how_to_apply(policy)
    if kind is MessageKind.PROMPT:
        return (f"【请补充信息】为判断贵企业是否符合{title}的申请条件，"
                f"请补充：{'、'.join(missing)}。")
    why = _withdrawal_cause(reason, policy, as_of)
    return f"【政策撤回】{title}：{why}，此前推送的信息不再有效。"
