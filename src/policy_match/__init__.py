"""policy_match: a rules engine for 政策找企业.

The public API (see docs/api.md); nothing else is imported from here.
"""

from .dsl.diagnostics import Diagnostic, Severity
from .dsl.ir import Example, Policy, TagSpec, Verdict
from .dsl.types import Kind, Type
from .dsl.vocabulary import CodeLookup, FunctionSpec, Hierarchy, TagTypeSpec, Vocabulary
from .engine.explain import Explanation
from .match import MatchResult
from .plugins import load_vocabulary
from .records import FieldError, RecordError
from .rulebook import UNKNOWN, LoadResult, Rulebook, RuleError, inspect, load
from .table import EnterpriseTable

__all__ = [
    "UNKNOWN",
    "CodeLookup",
    "Diagnostic",
    "EnterpriseTable",
    "Example",
    "Explanation",
    "FieldError",
    "FunctionSpec",
    "Hierarchy",
    "Kind",
    "LoadResult",
    "MatchResult",
    "Policy",
    "RecordError",
    "RuleError",
    "Rulebook",
    "Severity",
    "TagSpec",
    "TagTypeSpec",
    "Type",
    "Verdict",
    "Vocabulary",
    "inspect",
    "load",
    "load_vocabulary",
]
