"""The vocabulary that ships with the library, registered the way any plug-in registers.

Going through the same entry point as third-party plug-ins (``policy_match.plugins`` group,
name ``builtin``) keeps one code path for every hierarchy, function and tag type, and proves
the plug-in interface is sufficient for real use.
"""

from __future__ import annotations

from policy_match.dsl.vocabulary import Vocabulary
from policy_match.plugins.builtins.functions import FUNCTIONS
from policy_match.plugins.builtins.industry import INDUSTRY
from policy_match.plugins.builtins.region import REGION
from policy_match.plugins.builtins.uscc import USCC_TYPE

SOURCE = "policy_match.builtin"


def register(vocabulary: Vocabulary) -> None:
    """Add ``industry``, ``region``, the ``uscc`` tag type and ``min``/``max``/``abs``."""
    vocabulary.add_hierarchy(INDUSTRY, source=SOURCE)
    vocabulary.add_hierarchy(REGION, source=SOURCE)
    vocabulary.add_tag_type(USCC_TYPE, source=SOURCE)
    for spec in FUNCTIONS:
        vocabulary.add_function(spec, source=SOURCE)
