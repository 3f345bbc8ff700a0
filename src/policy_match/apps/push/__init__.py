"""Push planning with a ledger: what each enterprise has been told, and what to tell it next.

A match result says where every enterprise stands today; the ledger (an SQLite file)
remembers what each enterprise has already been told. Planning writes an outbox of the
difference only:

- ``match`` (精准): an item in force that the enterprise newly qualifies for;
- ``announce`` (普惠): an item in force not yet announced to the enterprise (every enterprise
  gets each general item once, whatever its verdict);
- ``prompt`` (请补充信息): an item whose verdict is unknown for lack of named tags (explain's
  ``missing``), once per distinct set of missing tags;
- ``withdraw``: an item the enterprise was told about that has since expired (or is no
  longer in the rulebook), or — for 精准 items — that it no longer qualifies for.

Every message has a logical key ``(kind, enterprise, item, generation)`` that is UNIQUE in
the outbox, and an id: its place in the outbox, then a digest of that key and the state
that triggered it (deterministic: a rerun plans the same ids).
The "told" facts are updated in the same transaction as the outbox rows, one batch of
enterprises per ``BEGIN IMMEDIATE`` transaction, so a killed planner leaves whole batches
or nothing, a rerun does the rest exactly once, and two planners at once serialize per
batch. The schema and the guarantees are documented in ``docs/push.md``.

One module per job: ``ledger`` (the SQLite file and its schema), ``errors`` (LedgerError, in
Chinese and English), ``migrate`` (schema 1 to 2), ``checking`` (integrity and consistency),
``messages`` (kinds, reasons, ids and text), ``facts`` (what each enterprise was told),
``planner`` (what is due), ``delivery`` (mark sent) and ``exporting`` (the outbox as
.jsonl/.csv); this package re-exports their public names.
"""

from policy_match.apps.push.checking import CheckReport, Damage, inspect
from policy_match.apps.push.delivery import MarkReport, mark_sent, read_ids
from policy_match.apps.push.errors import LedgerError
from policy_match.apps.push.exporting import export
from policy_match.apps.push.ledger import BUSY_TIMEOUT, Ledger
from policy_match.apps.push.messages import (
    KIND_ZH,
    KINDS,
    PAYLOAD_FIELDS,
    REASON_ZH,
    Message,
    MessageKind,
    Reason,
    item_version,
    message_id,
)
from policy_match.apps.push.planner import (
    BATCH_ENV,
    DEFAULT_BATCH,
    Planner,
    PlanReport,
    batch_size_default,
    keyed_rows,
    plan,
    rules_digest,
)
from policy_match.apps.push.schema import EXPORT_FIELDS, KIND_CODES, SCHEMA, SCHEMA_VERSION

__all__ = [
    "BATCH_ENV", "BUSY_TIMEOUT", "DEFAULT_BATCH", "EXPORT_FIELDS", "KINDS", "KIND_CODES",
    "KIND_ZH", "PAYLOAD_FIELDS", "REASON_ZH", "SCHEMA", "SCHEMA_VERSION", "CheckReport",
    "Damage", "Ledger", "LedgerError", "MarkReport", "Message", "MessageKind", "PlanReport",
    "Planner", "Reason", "batch_size_default", "export", "inspect", "item_version",
    "keyed_rows", "mark_sent", "message_id", "plan", "read_ids", "rules_digest",
]
