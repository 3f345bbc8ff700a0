"""policy_match: a rules engine for 政策找企业.

The public API (see docs/api.md); nothing else is imported from here.
"""

from .dsl.diagnostics import Diagnostic, Severity
from .dsl.ir import Example, Policy, TagSpec, Verdict
from .dsl.types import Kind, Type
from .dsl.vocabulary import CodeLookup, FunctionSpec, Hierarchy, TagTypeSpec, Vocabulary
from .plugins import load_vocabulary
from .rulebook import LoadResult, Rulebook, RuleError, inspect, load

__all__ = [
    "CodeLookup",
    "Diagnostic",
    "Example",
    "FunctionSpec",
    "Hierarchy",
    "Kind",
    "LoadResult",
    "Policy",
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
