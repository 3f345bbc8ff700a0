"""What can go wrong with a request, as exceptions the queries raise and the HTTP layer turns
into RFC 9457 problem details (:mod:`.problems`). Each carries a catalogue key and its fields,
so the words exist in Chinese and English; no HTTP here, the pages catch them too."""

from __future__ import annotations

from dataclasses import dataclass

from policy_match.base.messages import text

__all__ = ["BadInput", "FieldProblem", "Forbidden", "NotFound", "ServiceError", "Unauthorized"]


class ServiceError(Exception):
    """A request the service answers with an error: ``status``, a catalogue key and fields."""

    status = 400

    def __init__(self, key: str, **fields: object) -> None:
        self.key = key
        self.fields = fields
        super().__init__(self.text("en"))

    def text(self, lang: str = "zh") -> str:
        return text(self.key, lang, **self.fields)


class NotFound(ServiceError):
    status = 404


class Unauthorized(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


@dataclass(frozen=True)
class FieldProblem:
    """One bad value of a request: which field (tag), the value as given, why, in zh and en."""

    field: str
    value: str
    reason_zh: str
    reason_en: str

    def as_json(self) -> dict[str, str]:
        return {"tag": self.field, "value": self.value, "reason_zh": self.reason_zh,
                "reason_en": self.reason_en}


class BadInput(ServiceError):
    """422: the request is well-formed but some values are not (unknown tags, bad values)."""

    status = 422

    def __init__(self, problems: list[FieldProblem], key: str = "server.bad_values") -> None:
        self.problems = problems
        super().__init__(key, n=len(problems))
