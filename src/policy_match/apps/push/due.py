"""The messages due to a batch of enterprises, kept as arrays until they are recorded.

A first plan tells an enterprise about every item it qualifies for: hundreds of messages
per enterprise, hundreds of thousands per batch. Deciding them takes numpy over (enterprise
× policy) masks; a :class:`Due` holds what was decided as one array entry per message in
planning order, and :meth:`Due.messages` makes the Python objects of a slice only, so a
batch is recorded slice by slice (in its one transaction) and memory holds one slice's
messages, not the batch's. Texts are shared by every message that reads the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from policy_match.apps.push.messages import (
    ID_DIGEST_BYTES,
    Body,
    Message,
    MessageKind,
    Planned,
    PlannedRow,
    Reason,
    id_text,
    item_version,
    message_text,
    payload,
)
from policy_match.apps.push.schema import KIND_CODES
from policy_match.dsl.ir import Policy

if TYPE_CHECKING:
    from policy_match.core.rulebook import Rulebook

TELL, WITHDRAW, PROMPT = 0, 1, 2  # what each entry of a Due is
# how a maker makes the messages of one (kind, item, trigger): the kind's code, the id's
# hashed text around the enterprise and generation (``messages.id_text``), and the body
Spec = tuple[int, str, str, str, Body]


class Makers:
    """Builds the messages of one rulebook and date; a text is made once per distinct
    (kind, reason, item, name, missing tags) and shared."""

    def __init__(self, book: Rulebook, as_of: dt.date) -> None:
        self.book = book
        self.as_of = as_of
        self.versions = {pid: item_version(book, p) for pid, p in book.policies.items()}
        self.payloads = {pid: payload(p) for pid, p in book.policies.items()}
        self._texts: dict[tuple[Any, ...], str] = {}
        self._specs: dict[tuple[Any, ...], Spec] = {}
        self._payload_json: dict[str, str] = {}
        self._withdrawal_bodies: dict[tuple[Any, ...], Body] = {}

    def payload_json(self, item: str) -> str:
        """The item's details as the ledger stores them (``{}`` for an item not in the
        rulebook)."""
        text = self._payload_json.get(item)
        if text is None:
            text = self._payload_json[item] = json.dumps(self.payloads.get(item, {}),
                                                         ensure_ascii=False)
        return text

    def tell_spec(self, general: bool, policy: Policy) -> Spec:
        """What :meth:`tell` makes of ``policy``, shared by every enterprise told."""
        key = (policy.id, general)
        spec = self._specs.get(key)
        if spec is None:
            kind = MessageKind.ANNOUNCE if general else MessageKind.MATCH
            reason = Reason.BROAD if general else Reason.ELIGIBLE
            body = Body(kind.value, policy.id, policy.name, policy.push, reason.value, None,
                        self.text(kind, reason, policy.name, policy.id, policy, ()),
                        self.payload_json(policy.id))
            spec = self._specs[key] = (KIND_CODES[kind.value],
                                       *id_text(kind.value, policy.id,
                                                self.versions[policy.id]), body)
        return spec

    def prompt_spec(self, policy: Policy, tags: tuple[str, ...]) -> Spec:
        """What :meth:`prompt` makes of ``policy`` and ``tags``."""
        key = (policy.id, tags)
        spec = self._specs.get(key)
        if spec is None:
            kind, reason = MessageKind.PROMPT, Reason.MISSING
            body = Body(kind.value, policy.id, policy.name, policy.push, reason.value,
                        json.dumps(list(tags), ensure_ascii=False),
                        self.text(kind, reason, policy.name, policy.id, policy, tags),
                        self.payload_json(policy.id))
            trigger = self.versions[policy.id] + "|" + "、".join(tags)
            spec = self._specs[key] = (KIND_CODES[kind.value],
                                       *id_text(kind.value, policy.id, trigger), body)
        return spec

    def withdrawal_body(self, m: Message) -> Body:
        """A withdrawal's body, one object per distinct body (the recorder numbers each
        object once)."""
        key = (m.item, m.item_name, m.push, m.reason, m.text)
        body = self._withdrawal_bodies.get(key)
        if body is None:
            body = self._withdrawal_bodies[key] = Body(
                m.kind.value, m.item, m.item_name, m.push, m.reason.value, None, m.text,
                self.payload_json(m.item))
        return body

    def text(self, kind: MessageKind, reason: Reason, name: str, item: str,
             policy: Policy | None, missing: tuple[str, ...]) -> str:
        key = (kind, reason, name, item, missing)
        found = self._texts.get(key)
        if found is None:
            found = self._texts[key] = message_text(kind, reason, name, item, policy, missing,
                                                    self.as_of)
        return found

    def tell(self, kind: MessageKind, enterprise: str, policy: Policy,
             generation: int) -> Message:
        reason = Reason.ELIGIBLE if kind is MessageKind.MATCH else Reason.BROAD
        return Message(kind, enterprise, policy.id, generation, policy.name, policy.push,
                       self.as_of, reason, self.versions[policy.id],
                       self.text(kind, reason, policy.name, policy.id, policy, ()),
                       self.payloads[policy.id])

    def prompt(self, enterprise: str, policy: Policy, tags: tuple[str, ...],
               generation: int) -> Message:
        trigger = self.versions[policy.id] + "|" + "、".join(tags)
        text = self.text(MessageKind.PROMPT, Reason.MISSING, policy.name, policy.id, policy,
                         tags)
        return Message(MessageKind.PROMPT, enterprise, policy.id, generation, policy.name,
                       policy.push, self.as_of, Reason.MISSING, trigger, text,
                       self.payloads[policy.id], tags)

    def withdraw(self, enterprise: str, item: str, generation: int, told_by: str,
                 item_name: str, reason: Reason) -> Message:
        policy = self.book.policies.get(item)
        name = policy.name if policy is not None else item_name
        trigger = f"{told_by}|{reason.value}"
        text = self.text(MessageKind.WITHDRAW, reason, name, item, policy, ())
        return Message(MessageKind.WITHDRAW, enterprise, item, generation, name,
                       policy.push if policy is not None else None, self.as_of, reason,
                       trigger, text, self.payloads.get(item, {}))


@dataclass(frozen=True)
class Tells:
    """Tell candidates not told yet: batch position, policy (rulebook index), generation."""

    at: np.ndarray
    policy: np.ndarray
    generation: np.ndarray


@dataclass(frozen=True)
class Prompts:
    """Prompts due: batch position, policy, missing tags (index into ``answers``),
    generation."""

    at: np.ndarray
    policy: np.ndarray
    answer: np.ndarray
    generation: np.ndarray
    answers: list[tuple[str, ...]]


@dataclass(frozen=True)
class Withdrawals:
    """Withdrawals due (few: made as messages at once), with their batch positions and
    sort positions (policy index, or past the last policy for an item not in the rulebook,
    then the item's ledger number)."""

    at: np.ndarray
    policy: np.ndarray
    item: np.ndarray
    messages: list[Message]


class Due:
    """Every message due to a batch, in planning order: per enterprise, in rulebook order (a
    prompt after the item's other message), withdrawals of items no longer in the rulebook
    last."""

    def __init__(self, eids: list[str], tells: Tells, withdrawals: Withdrawals,
                 prompts: Prompts, makers: Makers, general: np.ndarray) -> None:
        self.eids = eids
        self.tells, self.withdrawals, self.prompts = tells, withdrawals, prompts
        self.makers = makers
        self.general = general
        self.policies = list(makers.book.policies.values())
        counts = (tells.at.size, withdrawals.at.size, prompts.at.size)
        self.what = np.repeat(np.array([TELL, WITHDRAW, PROMPT], dtype=np.int8), counts)
        self.which = np.concatenate([np.arange(c, dtype=np.int64) for c in counts])
        at = np.concatenate([tells.at, withdrawals.at, prompts.at]).astype(np.int64)
        policy = np.concatenate([tells.policy, withdrawals.policy, prompts.policy])
        second = np.repeat(np.array([0, 0, 1], dtype=np.int64), counts)
        item = np.concatenate([np.zeros(counts[0], np.int64), withdrawals.item,
                               np.zeros(counts[2], np.int64)])
        self.order = np.lexsort((item, second, policy.astype(np.int64), at))
        self.at, self.policy = at, policy.astype(np.int64)
        self.generation = np.concatenate([tells.generation, np.zeros(counts[1], np.int64),
                                          prompts.generation]).astype(np.int64)
        self.answer = np.concatenate([np.zeros(counts[0] + counts[1], np.int64),
                                      prompts.answer]).astype(np.int64)

    def __len__(self) -> int:
        return int(self.order.size)

    def messages(self, start: int = 0, stop: int | None = None) -> list[Message]:
        """The messages ``start:stop`` in planning order."""
        order = self.order[start:stop]
        out: list[Message] = []
        for what, j in zip(self.what[order].tolist(), self.which[order].tolist(),
                           strict=True):
            out.append(self._message(what, j))
        return out

    def _message(self, what: int, j: int) -> Message:
        if what == WITHDRAW:
            return self.withdrawals.messages[j]
        if what == TELL:
            t = self.tells
            p = int(t.policy[j])
            kind = MessageKind.ANNOUNCE if self.general[p] else MessageKind.MATCH
            return self.makers.tell(kind, self.eids[int(t.at[j])], self.policies[p],
                                    int(t.generation[j]))
        q = self.prompts
        return self.makers.prompt(self.eids[int(q.at[j])], self.policies[int(q.policy[j])],
                                  q.answers[int(q.answer[j])], int(q.generation[j]))

    def planned(self, start: int = 0, stop: int | None = None) -> Planned:
        """:meth:`messages` ``start:stop`` as the rows to record (:class:`Planned`): the
        same digests and bodies, without a Python object per message."""
        order = self.order[start:stop]
        what = self.what[order]
        specs, spec_of = self._specs(what, self.policy[order], self.answer[order])
        rows: list[PlannedRow] = []
        eids, withdrawals = self.eids, self.withdrawals.messages
        sha256 = hashlib.sha256
        for w, s, j, k, g in zip(what.tolist(), spec_of.tolist(), self.which[order].tolist(),
                                 self.at[order].tolist(), self.generation[order].tolist(),
                                 strict=True):
            if w == WITHDRAW:
                m = withdrawals[j]
                rows.append((m.enterprise, m.item, KIND_CODES[m.kind.value], m.generation,
                             m.digest, self.makers.withdrawal_body(m)))
                continue
            spec = specs[s]
            assert spec is not None
            code, prefix, middle, suffix, body = spec
            eid = eids[k]
            rows.append((eid, body.item, code, g,
                         sha256(f"{prefix}{eid}{middle}{g}{suffix}".encode()).digest()[
                             :ID_DIGEST_BYTES], body))
        return Planned(rows)

    def _specs(self, what: np.ndarray, policy: np.ndarray, answer: np.ndarray
               ) -> tuple[list[Spec | None], np.ndarray]:
        """The makers' specs of the tells and prompts among entries, and each entry's
        index into them (a withdrawal's is None): one look-up per distinct spec."""
        prompt = what == PROMPT
        width = len(self.prompts.answers) + 1
        key = np.where(what == WITHDRAW, -1, (policy * width + np.where(prompt, answer, -1)
                                              + 1) * 2 + prompt)
        distinct, spec_of = np.unique(key, return_inverse=True)
        specs: list[Spec | None] = []
        for code in distinct.tolist():
            if code < 0:
                specs.append(None)
                continue
            p, a = divmod(code // 2, width)
            policy_ = self.policies[p]
            specs.append(self.makers.prompt_spec(policy_, self.prompts.answers[a - 1])
                         if code % 2 else self.makers.tell_spec(bool(self.general[p]),
                                                                policy_))
        return specs, spec_of.reshape(-1)
