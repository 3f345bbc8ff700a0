"""一表读懂: one printable page per item, as HTML and as Markdown.

A page holds what an enterprise needs to decide whether to apply and how: the title, what
the item gives (事项内容, 兑付标准), who it is for, the conditions in plain language (the
same text as the 清单, :mod:`.publish`), the materials, channel and deadline, the validity,
the department and its contact, and a QR code of the 公布网址.

Pages are self-contained: the CSS is inline, the QR code is an SVG drawn from the
``qrcode`` matrix and embedded as a ``data:`` URI, nothing is fetched when the page is
opened or printed. The layout is A4 portrait (the 惠企政策墙), one item per page.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

from policy_match.apps.publishing.listing import (
    benefit_text,
    condition_text,
    deadline_text,
    status_on,
    target_text,
    validity_text,
)
from policy_match.dsl import ir
from policy_match.dsl.display import date_zh

if TYPE_CHECKING:
    from policy_match.core.rulebook import Rulebook

Format = Literal["html", "md"]


# ---- the QR code ---------------------------------------------------------------------------


def qr_svg(text: str, module: int = 4) -> str:
    """A QR code of ``text`` as a small SVG: black modules on a white square, quiet zone of
    four modules, error correction M (survives a smudge on a printed wall sheet)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    path = "".join(f"M{x},{y}h1v1h-1z" for y, line in enumerate(matrix)
                   for x, dark in enumerate(line) if dark)
    size = n * module
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 {n} {n}" shape-rendering="crispEdges">'
            f'<rect width="{n}" height="{n}" fill="#fff"/><path d="{path}" fill="#000"/></svg>')


def qr_data_uri(text: str) -> str:
    """The QR code of ``text`` as ``data:image/svg+xml;base64,…``."""
    svg = qr_svg(text).encode("utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


# ---- the content of a page -----------------------------------------------------------------


@dataclass(frozen=True)
class SheetContent:
    """Everything a page shows, as plain text, ready for either format."""

    policy_id: str
    name: str
    category: str
    no_application: bool
    push: str
    status: str  # 有效 | 尚未生效 | 已过期 | "" (no date given)
    content: str
    target: str
    conditions: tuple[str, ...]  # the lead line, then one line per top-level item
    definitions: tuple[str, ...]  # 其中，…是指：…
    benefit: tuple[str, ...]  # the amount, then its definitions; empty: no money
    materials: tuple[str, ...]
    channel: str
    deadline: str
    validity: str
    basis: str
    department: str
    contact: str
    phone: str
    url: str
    group: str
    as_of: dt.date | None


_STATUS_ZH = {"active": "有效", "pending": "尚未生效", "expired": "已过期"}


def sheet_content(book: Rulebook, policy_id: str, as_of: dt.date | None = None) -> SheetContent:
    policy: ir.Policy = book.policy(policy_id)
    lines = condition_text(book, policy).split("\n")
    first_definition = next((i for i, line in enumerate(lines) if line.startswith("其中，")),
                            len(lines))
    benefit = benefit_text(book, policy)
    return SheetContent(
        policy_id=policy.id,
        name=policy.name,
        category=policy.category or "",
        no_application=policy.no_application,
        push=policy.push,
        status=_STATUS_ZH[status_on(policy, as_of)] if as_of is not None else "",
        content=policy.content or "",
        target=target_text(book, policy),
        conditions=tuple(lines[:first_definition]),
        definitions=tuple(lines[first_definition:]),
        benefit=tuple(benefit.split("\n")) if benefit else (),
        materials=policy.materials,
        channel=policy.channel or "",
        deadline=deadline_text(policy),
        validity=validity_text(policy),
        basis=policy.basis or "",
        department=policy.department or "",
        contact=policy.contact or "",
        phone=policy.phone or "",
        url=policy.url or "",
        group=policy.group or "",
        as_of=as_of,
    )


def _badges(c: SheetContent) -> list[str]:
    badges = [b for b in (c.category,) if b]
    if c.no_application:
        badges.append("免申即享")
    badges.append("普惠政策" if c.push == "普惠" else "精准推送")
    if c.status:
        badges.append(c.status)
    return badges


def _footer(c: SheetContent) -> str:
    made = f"，截至{date_zh(c.as_of)}" if c.as_of else ""
    return (f"事项编号 {c.policy_id}{made}。本表由政策规则库自动生成，"
            "是对政策的通俗解读，具体以政策原文和执行部门的解释为准。")


# ---- HTML ----------------------------------------------------------------------------------

_CSS = """
@page { size: A4 portrait; margin: 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #eef0f3; color: #1d1d1f;
  font-family: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
    "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif;
  font-size: 10.5pt; line-height: 1.6; }
.sheet { width: 210mm; min-height: 297mm; margin: 8mm auto; padding: 12mm 14mm;
  background: #fff; box-shadow: 0 1mm 4mm rgba(0,0,0,.12); }
header { border-bottom: 2.5pt solid #b3261e; padding-bottom: 3mm; margin-bottom: 4mm; }
.kicker { color: #b3261e; font-weight: 600; letter-spacing: .2em; font-size: 9.5pt; }
h1 { font-size: 20pt; line-height: 1.3; margin: 1.5mm 0 2mm; }
.badges span { display: inline-block; border: 0.8pt solid #b3261e; color: #b3261e;
  border-radius: 2mm; padding: 0 2.2mm; margin: 0 1.5mm 1mm 0; font-size: 9pt; }
.badges span.strong { background: #b3261e; color: #fff; }
.lead { display: grid; grid-template-columns: 1fr 40mm; gap: 6mm; align-items: start; }
.summary { font-size: 11.5pt; margin: 0; }
.summary strong { color: #b3261e; }
.qr { text-align: center; font-size: 8pt; color: #555; word-break: break-all; }
.qr img { width: 36mm; height: 36mm; display: block; margin: 0 auto 1mm;
  image-rendering: pixelated; }
section { margin-top: 4mm; break-inside: avoid; }
h2 { font-size: 12pt; margin: 0 0 1.5mm; padding-left: 2.5mm; border-left: 3pt solid #b3261e; }
ol, ul { margin: 0; padding-left: 6mm; }
ol.conditions { list-style: none; padding-left: 0; }
ol.conditions li { padding-left: 2em; text-indent: -2em; }
p { margin: 0; }
.note { color: #555; font-size: 9.5pt; margin-top: 1mm; }
dl.facts { display: grid; grid-template-columns: 22mm 1fr; gap: 1.2mm 3mm; margin: 0; }
dl.facts dt { color: #555; }
dl.facts dd { margin: 0; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 6mm; }
.contact { background: #fbf3f2; border-radius: 2mm; padding: 3mm 4mm; }
footer { margin-top: 6mm; padding-top: 2mm; border-top: 0.6pt solid #ccc; color: #777;
  font-size: 8.5pt; }
@media print {
  body { background: #fff; font-size: 9.5pt; line-height: 1.5; }
  h1 { font-size: 17pt; }
  h2 { font-size: 11pt; }
  section { margin-top: 3mm; }
  .summary { font-size: 10.5pt; }
  .sheet { margin: 0; width: auto; min-height: 0; padding: 0; box-shadow: none; }
  .sheet + .sheet { break-before: page; }
}
"""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _html_body(c: SheetContent) -> str:
    out: list[str] = ['<article class="sheet">', "<header>",
                      '<div class="kicker">一表读懂 · 惠企政策兑现事项</div>',
                      f"<h1>{_esc(c.name)}</h1>", '<div class="badges">']
    for badge in _badges(c):
        strong = ' class="strong"' if badge in ("免申即享", "尚未生效", "已过期") else ""
        out.append(f"<span{strong}>{_esc(badge)}</span>")
    out += ["</div>", "</header>", '<div class="lead">', "<div>"]
    if c.content:
        out.append(f'<p class="summary"><strong>政策内容：</strong>{_esc(c.content)}</p>')
    out.append(f'<section><h2>适用对象</h2><p>{_esc(c.target)}</p></section>')
    out.append("</div>")
    if c.url:
        out += ['<div class="qr">',
                f'<img src="{qr_data_uri(c.url)}" alt="公布网址二维码：{_esc(c.url)}">',
                f"扫码查看政策原文<br>{_esc(c.url)}", "</div>"]
    out.append("</div>")

    out.append('<section class="conditions"><h2>申请条件</h2>')
    head, items = c.conditions[0], c.conditions[1:]
    out.append(f"<p>{_esc(head)}</p>")
    if items:
        out.append('<ol class="conditions">')
        out += [f"<li>{_esc(item)}</li>" for item in items]
        out.append("</ol>")
    out += [f'<p class="note">{_esc(d)}</p>' for d in c.definitions]
    out.append("</section>")

    if c.benefit:
        out.append(f'<section><h2>兑付标准</h2><p>{_esc(c.benefit[0])}</p>')
        out += [f'<p class="note">{_esc(d)}</p>' for d in c.benefit[1:]]
        if c.group:
            out.append(f'<p class="note">与互斥组“{_esc(c.group)}”内的其他事项就高不重复享受。</p>')
        out.append("</section>")

    out.append('<div class="two">')
    out.append("<section><h2>申请材料</h2>")
    if c.materials:
        out.append("<ol>" + "".join(f"<li>{_esc(m)}</li>" for m in c.materials) + "</ol>")
    else:
        out.append("<p>无需提交材料。</p>" if c.no_application else "<p>—</p>")
    out.append("</section>")
    out.append('<section><h2>怎么办理</h2><dl class="facts">')
    facts = [("申请方式", c.channel), ("办结时限", c.deadline), ("适用时间", c.validity)]
    out += [f"<dt>{k}</dt><dd>{_esc(v)}</dd>" for k, v in facts if v]
    out.append("</dl></section></div>")

    out.append('<section class="contact"><h2>咨询与受理</h2><dl class="facts">')
    facts = [("执行部门", c.department), ("联系人", c.contact), ("联系方式", c.phone),
             ("公布网址", c.url)]
    out += [f"<dt>{k}</dt><dd>{_esc(v)}</dd>" for k, v in facts if v]
    out.append("</dl></section>")
    if c.basis:
        out.append(f'<section><h2>政策依据</h2><p class="note">{_esc(c.basis)}</p></section>')
    out.append(f"<footer>{_esc(_footer(c))}</footer>")
    out.append("</article>")
    return "\n".join(out)


def _html_page(title: str, bodies: Iterable[str]) -> str:
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        *bodies, "</body>", "</html>", ""])


def sheet_html(book: Rulebook, policy_id: str, as_of: dt.date | None = None) -> str:
    """The 一表读懂 page of one item: a complete, self-contained HTML document."""
    c = sheet_content(book, policy_id, as_of)
    return _html_page(f"一表读懂｜{c.name}", [_html_body(c)])


def sheets_html(book: Rulebook, policy_ids: Sequence[str], as_of: dt.date | None = None) -> str:
    """Several items in one document, one printed page each (for printing the wall)."""
    bodies = [_html_body(sheet_content(book, pid, as_of)) for pid in policy_ids]
    return _html_page("一表读懂涉企政策", bodies)


# ---- Markdown ------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def sheet_markdown(book: Rulebook, policy_id: str, as_of: dt.date | None = None) -> str:
    """The 一表读懂 page of one item as Markdown (the QR code as an embedded data URI)."""
    c = sheet_content(book, policy_id, as_of)
    out = [f"# {_md(c.name)}", "", "> 一表读懂 · " + " · ".join(_md(b) for b in _badges(c)), ""]
    if c.content:
        out += [f"**政策内容：** {_md(c.content)}", ""]
    out += ["## 适用对象", "", _md(c.target), "", "## 申请条件", "", _md(c.conditions[0]), ""]
    if len(c.conditions) > 1:
        out += [f"- {_md(item)}" for item in c.conditions[1:]] + [""]
    for d in c.definitions:
        out += [_md(d), ""]
    if c.benefit:
        out += ["## 兑付标准", ""] + [line for b in c.benefit for line in (_md(b), "")]
        if c.group:
            out += [f"与互斥组“{_md(c.group)}”内的其他事项就高不重复享受。", ""]
    out += ["## 申请材料", ""]
    if c.materials:
        out += [f"{i}. {_md(m)}" for i, m in enumerate(c.materials, start=1)] + [""]
    else:
        out += ["无需提交材料。" if c.no_application else "—", ""]
    out += ["## 怎么办理", ""]
    facts = [("申请方式", c.channel), ("办结时限", c.deadline), ("适用时间", c.validity)]
    out += [f"- **{k}：** {_md(v)}" for k, v in facts if v] + [""]
    out += ["## 咨询与受理", ""]
    facts = [("执行部门", c.department), ("联系人", c.contact), ("联系方式", c.phone)]
    out += [f"- **{k}：** {_md(v)}" for k, v in facts if v]
    if c.url:
        out += [f"- **公布网址：** <{c.url}>", "", f"![公布网址二维码]({qr_data_uri(c.url)})"]
    out.append("")
    if c.basis:
        out += ["## 政策依据", "", _md(c.basis), ""]
    out += ["---", "", f"*{_md(_footer(c))}*", ""]
    return "\n".join(out)


# ---- files ---------------------------------------------------------------------------------


INDEX_NAME = "index.html"
COMBINED_NAME = "一表读懂-全部.html"
MAX_STEM = 80
"""Characters of an id kept in its file name (a longer id is cut and given a digest)."""

RESERVED = frozenset({"index", "一表读懂-全部", "con", "prn", "aux", "nul",
                      *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))})
"""File stems a page may not take as is: the index and print pages, and Windows devices."""

_AWKWARD = re.compile(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+')


def safe_name(policy_id: str) -> str:
    """An id made safe as a file name: path separators, control and other awkward characters
    become ``_``, dots and ``_`` at either end go, at most :data:`MAX_STEM` characters. Not
    unique by itself (``A/B`` and ``A_B`` give the same): :func:`page_names` is."""
    return _AWKWARD.sub("_", policy_id)[:MAX_STEM].strip("._") or "item"


def _digest(policy_id: str, length: int = 8) -> str:
    return hashlib.sha256(policy_id.encode("utf-8")).hexdigest()[:length]


def page_names(policy_ids: Iterable[str]) -> dict[str, str]:
    """Each item's page file name without suffix, unique even where the file system ignores
    case: the id itself when it is a safe name, not reserved (``index``) and not shared;
    otherwise the safe name, ``-`` and the first 8 hex digits of the id's SHA-256
    (``A/B`` → ``A_B-<digest>``: the same on every run, whatever other items are written)."""
    ids = list(dict.fromkeys(policy_ids))
    plain = {pid: safe_name(pid) for pid in ids}
    shared = Counter(stem.casefold() for stem in plain.values())
    names: dict[str, str] = {}
    for pid in ids:
        stem = plain[pid]
        if stem != pid or stem.casefold() in RESERVED or shared[stem.casefold()] > 1:
            stem = f"{stem}-{_digest(pid)}"
        names[pid] = stem
    taken: set[str] = set()
    for pid in ids:  # an id spelled like another's digest name: longer digests, then a count
        stem, length = names[pid], 16
        while stem.casefold() in taken:
            stem = (f"{plain[pid]}-{_digest(pid, length)}" if length <= 64
                    else f"{names[pid]}-{length}")
            length += 8
        taken.add(stem.casefold())
        names[pid] = stem
    return names


def sheet_paths(policy_ids: Sequence[str], out_dir: str | Path,
                formats: Iterable[Format] = ("html",)) -> list[Path]:
    """The files :func:`write_sheets` writes for these arguments, in the order it writes
    them (so a caller can check every one before anything is written)."""
    out = Path(out_dir)
    ids = list(dict.fromkeys(policy_ids))
    wanted = tuple(dict.fromkeys(formats))
    names = page_names(ids)
    paths = [out / f"{names[pid]}.{fmt}" for pid in ids for fmt in ("html", "md")
             if fmt in wanted]
    if len(ids) > 1 and "html" in wanted:
        paths += [out / INDEX_NAME, out / COMBINED_NAME]
    return paths


def _index_page(book: Rulebook, ids: Sequence[str], names: dict[str, str]) -> str:
    links = "\n".join(
        f'<li><a href="{_esc(quote(names[pid] + ".html"))}">{_esc(book.policy(pid).name)}</a>'
        f" <small>{_esc(pid)} · {_esc(book.policy(pid).department or '')}</small></li>"
        for pid in ids)
    body = (f'<article class="sheet"><header><div class="kicker">一表读懂涉企政策</div>'
            f"<h1>惠企政策兑现事项（{len(ids)}项）</h1></header>"
            f'<ol>{links}</ol><p class="note"><a href="{_esc(quote(COMBINED_NAME))}">'
            "全部事项（打印版，每项一页）</a></p></article>")
    return _html_page("一表读懂涉企政策", [body])


def write_sheets(book: Rulebook, policy_ids: Sequence[str], out_dir: str | Path,
                 formats: Iterable[Format] = ("html",), as_of: dt.date | None = None
                 ) -> list[Path]:
    """One file per item and format (``<name>.html``, ``<name>.md``, names by
    :func:`page_names`); with more than one item also ``index.html`` (links) and
    ``一表读懂-全部.html`` (every page, for printing). Returns the files written: as many
    paths as files, each once (:func:`sheet_paths` lists them beforehand)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ids = list(dict.fromkeys(policy_ids))
    wanted = tuple(dict.fromkeys(formats))
    names = page_names(ids)
    written: list[Path] = []
    for pid in ids:
        if "html" in wanted:
            path = out / f"{names[pid]}.html"
            path.write_text(sheet_html(book, pid, as_of), encoding="utf-8")
            written.append(path)
        if "md" in wanted:
            path = out / f"{names[pid]}.md"
            path.write_text(sheet_markdown(book, pid, as_of), encoding="utf-8")
            written.append(path)
    if len(ids) > 1 and "html" in wanted:
        index = out / INDEX_NAME
        index.write_text(_index_page(book, ids, names), encoding="utf-8")
        combined = out / COMBINED_NAME
        combined.write_text(sheets_html(book, ids, as_of), encoding="utf-8")
        written += [index, combined]
    return written


__all__ = [
    "COMBINED_NAME", "INDEX_NAME", "SheetContent", "page_names", "qr_data_uri", "qr_svg",
    "safe_name", "sheet_content", "sheet_html", "sheet_markdown", "sheet_paths", "sheets_html",
    "write_sheets",
]
