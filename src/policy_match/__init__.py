"""policy_match: a rules engine for 政策找企业.

The public API (see docs/api.md); nothing else is imported from here.
"""

from policy_match.core.errors import RuleError
from policy_match.core.loading import LoadResult, inspect, load
from policy_match.core.match import MatchResult
from policy_match.core.rulebook import UNKNOWN, Rulebook
from policy_match.data.records import FieldError, RecordError
from policy_match.data.table import EnterpriseTable
from policy_match.dsl.diagnostics import Diagnostic, Severity
from policy_match.dsl.ir import Example, Policy, TagSpec, Verdict
from policy_match.dsl.types import Kind, Type
from policy_match.dsl.vocabulary import CodeLookup, FunctionSpec, Hierarchy, TagTypeSpec, Vocabulary
from policy_match.engine.explain import Explanation
from policy_match.plugins.loader import load_vocabulary

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
