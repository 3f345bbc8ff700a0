"""A seeded, deterministic enterprise library (企业库) like an urban service district's.

The columns are the tags of the bundled ``rules/tags.rule``, named by tag. Everything is
sampled column-wise with numpy, so a million rows take seconds. The same seed gives the same
table, byte for byte (``data/enterprises-2000.csv`` is ``generate --n 2000 --seed 0``).

The modules, by job:

- ``industries``: 所属行业, the mix of a central district as 小类 numbers under real GB/T
  4754-2017 大类 (not every one is a 小类 of the standard: records may carry such codes,
  rules may not), written with the 门类 letter (``"F5212"``) or without (``"5212"``);
- ``identities``: 所在区域 (mostly the ten 街道 of 五华区, in the *sample* numbering
  530102001–530102010 of ``plugins/builtins/data/sample-streets-wuhua.csv``, not official
  codes; streets of other real counties numbered 001 up), 成立日期, 市场主体类型, 企业名称,
  经营范围 and valid, unique 统一社会信用代码;
- ``sizes``: the 2017 size table (国统字〔2017〕213号) and 企业规模;
- ``money``: staff, revenue and assets (correlated lognormals), growth, R&D, taxes, loans;
- ``qualifications``: 资质, patents, knowledge property, evaluation scores, honours, the
  credit record;
- ``workforce``: social insurance, hiring, 残保金, 见习基地;
- ``trade``: 规上/限上, online retail, exports, 首店, the night-time economy;
- ``library``: every column in the order of its random draws; ``faults``: deliberately bad
  cells (``dirty=True``); ``files``: writing ``.csv``, ``.jsonl``, ``.parquet``.

Money is in yuan (plain numbers), ratios as fractions (``0.1234``), dates ``YYYY-MM-DD``,
bools ``是``/``否``, sets joined with ``、`` (``无`` for a known empty set); a missing value is
an empty cell (``null``).
"""

from policy_match.tools.generate.columns import COLUMNS, REFERENCE_DATE
from policy_match.tools.generate.faults import Fault
from policy_match.tools.generate.files import FORMATS, Written, write, write_library
from policy_match.tools.generate.library import generate, generate_columns, generate_table
from policy_match.tools.generate.qualifications import QUALIFICATIONS
from policy_match.tools.generate.sizes import SIZE_TABLE, SIZES, classify_size, size_row

__all__ = [
    "COLUMNS",
    "FORMATS",
    "QUALIFICATIONS",
    "REFERENCE_DATE",
    "SIZES",
    "SIZE_TABLE",
    "Fault",
    "Written",
    "classify_size",
    "generate",
    "generate_columns",
    "generate_table",
    "size_row",
    "write",
    "write_library",
]
