"""一表读懂: one printable page per item, as HTML and as Markdown.

A page holds what an enterprise needs to decide whether to apply and how: the title, what
the item gives (事项内容, 兑付标准), who it is for, the conditions in plain language (the
清单's text, :mod:`.listing`, in the public's words, :mod:`.wording`: no "评估日"), the
materials, channel and deadline, the validity, the department and its contact, and a QR code
of the 公布网址. An item whose 适用时间 ends within :data:`EXPIRING_WITHIN` days of the
page's date carries a 即将到期 badge; tiers of a 兑付标准 are a table.

Pages are self-contained: the CSS (``sheet.css`` beside this module) is inline, the QR code
is an SVG (:mod:`.qr`) embedded as a ``data:`` URI, nothing is fetched when the page is
opened or printed. On paper each item is one A4 page; on a phone the page is one column.
The portal (``server/pages``) shows the same article (:func:`sheet_article`) in its frame.
Every word comes from the message catalogue (``pages.sheet.*``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
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
from policy_match.apps.publishing.qr import qr_data_uri, qr_svg
from policy_match.apps.publishing.wording import TierTable, public, tier_table
from policy_match.base.messages import text
from policy_match.dsl import ir
from policy_match.dsl.display import date_zh

if TYPE_CHECKING:
    from policy_match.core.rulebook import Rulebook

Format = Literal["html", "md"]
PageStatus = Literal["active", "expiring", "pending", "expired", ""]

EXPIRING_WITHIN = 30
"""Calendar days: an item whose last valid day is at most this far off is 即将到期 (the
same rule as ``apps/lifecycle``: ``as_of <= valid_to <= as_of + 30 days``)."""


def _w(key: str, **fields: object) -> str:
    """The page's words (Chinese) from the catalogue."""
    return text(f"pages.sheet.{key}", "zh", **fields)


@cache
def sheet_css() -> str:
    """The page's style sheet (A4 print rules, phone layout, a CJK font stack)."""
    return Path(__file__).with_name("sheet.css").read_text(encoding="utf-8")


# ---- the content of a page -----------------------------------------------------------------


@dataclass(frozen=True)
class SheetContent:
    """Everything a page shows, as plain text, ready for either format."""

    policy_id: str
    name: str
    category: str
    no_application: bool
    push: str
    status: PageStatus  # "" when the page has no date
    content: str
    target: str
    conditions: tuple[str, ...]  # the lead line, then one line per top-level item
    definitions: tuple[str, ...]  # 其中，…是指：…
    benefit: tuple[str, ...]  # the amount, then its definitions; empty: no money
    tiers: TierTable | None  # the amount's tiers as a table, when it has tiers
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
    valid_to: dt.date | None = None

    @property
    def days_left(self) -> int | None:
        """Days from the page's date to the last valid day, for an item 即将到期."""
        if self.status != "expiring" or self.as_of is None or self.valid_to is None:
            return None
        return (self.valid_to - self.as_of).days


def page_status(policy: ir.Policy, as_of: dt.date | None) -> PageStatus:
    """The item's status on the page's date: 即将到期 when in force and the last valid day
    is at most :data:`EXPIRING_WITHIN` days away."""
    if as_of is None:
        return ""
    status = status_on(policy, as_of)
    end = policy.valid_to
    if status == "active" and end is not None and (end - as_of).days <= EXPIRING_WITHIN:
        return "expiring"
    return status


def sheet_content(book: Rulebook, policy_id: str, as_of: dt.date | None = None) -> SheetContent:
    policy: ir.Policy = book.policy(policy_id)
    lines = [public(line, policy) for line in condition_text(book, policy).split("\n")]
    first_definition = next((i for i, line in enumerate(lines) if line.startswith("其中，")),
                            len(lines))
    benefit = benefit_text(book, policy)
    return SheetContent(
        policy_id=policy.id,
        name=policy.name,
        category=policy.category or "",
        no_application=policy.no_application,
        push=policy.push,
        status=page_status(policy, as_of),
        content=policy.content or "",
        target=public(target_text(book, policy), policy),
        conditions=tuple(lines[:first_definition]),
        definitions=tuple(lines[first_definition:]),
        benefit=tuple(public(b, policy) for b in benefit.split("\n")) if benefit else (),
        tiers=tier_table(book, policy),
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
        valid_to=policy.valid_to,
    )


_STRONG = frozenset({"pending", "expired"})


def badges(c: SheetContent) -> list[tuple[str, str]]:
    """The badges of a page as (words, kind): kind ``strong`` (免申即享, 尚未生效, 已过期),
    ``expiring`` (即将到期) or ``""``."""
    out = [(c.category, "")] if c.category else []
    if c.no_application:
        out.append((_w("badge_no_application"), "strong"))
    out.append((_w("badge_general") if c.push == "普惠" else _w("badge_targeted"), ""))
    if c.status:
        kind = "strong" if c.status in _STRONG else "expiring" if c.status == "expiring" else ""
        out.append((_w(f"status_{c.status}"), kind))
    return out


def expiring_note(c: SheetContent) -> str:
    """"本事项适用时间至…，还剩…天，请及时申请。" for an item 即将到期, else ""."""
    days = c.days_left
    if days is None or c.valid_to is None:
        return ""
    key = "expiring_note_auto" if c.no_application else "expiring_note"  # nobody applies
    return _w(key, date=date_zh(c.valid_to), days=days)


def _footer(c: SheetContent) -> str:
    made = _w("as_of", date=date_zh(c.as_of)) if c.as_of else ""
    return _w("footer", policy_id=c.policy_id, made=made)


# ---- HTML ----------------------------------------------------------------------------------


def _esc(value: str) -> str:
    return html.escape(value, quote=True)


def _facts(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in pairs if v)


def _tiers_html(t: TierTable) -> list[str]:
    rows = "".join(f'<tr><td>{_esc(a)}</td><td class="amount">{_esc(b)}</td></tr>'
                   for a, b in t.rows)
    return [f"<p>{_esc(t.lead)}</p>",
            f'<table class="tiers"><thead><tr><th>{_w("tier_case")}</th>'
            f'<th>{_w("tier_value")}</th></tr></thead><tbody>{rows}</tbody></table>',
            f'<p class="note">{_w("tier_order")}</p>',
            *(f'<p class="note">{_esc(d)}</p>' for d in t.definitions)]


def _benefit_html(c: SheetContent) -> list[str]:
    if not c.benefit:
        return []
    out = [f"<section><h2>{_w('benefit')}</h2>"]
    if c.tiers is not None:
        out += _tiers_html(c.tiers)
    else:
        out.append(f"<p>{_esc(c.benefit[0])}</p>")
        out += [f'<p class="note">{_esc(d)}</p>' for d in c.benefit[1:]]
    if c.group:
        out.append(f'<p class="note">{_esc(_w("group_note", group=c.group))}</p>')
    out.append("</section>")
    return out


def _head_html(c: SheetContent) -> list[str]:
    out = ['<article class="sheet">', "<header>", f'<div class="kicker">{_w("kicker")}</div>',
           f"<h1>{_esc(c.name)}</h1>", '<div class="badges">']
    for words, kind in badges(c):
        css = f' class="{kind}"' if kind else ""
        out.append(f"<span{css}>{_esc(words)}</span>")
    out += ["</div>", "</header>"]
    note = expiring_note(c)
    if note:
        out.append(f'<p class="expiring-note">{_esc(note)}</p>')
    out += ['<div class="lead">', "<div>"]
    if c.content:
        out.append(f'<p class="summary"><strong>{_w("content")}</strong>{_esc(c.content)}</p>')
    out.append(f"<section><h2>{_w('target')}</h2><p>{_esc(c.target)}</p></section>")
    out.append("</div>")
    if c.url:
        alt = _w("qr_alt", url=c.url)
        out += ['<div class="qr">', f'<img src="{qr_data_uri(c.url)}" alt="{_esc(alt)}">',
                f"{_w('qr_caption')}<br>{_esc(c.url)}", "</div>"]
    out.append("</div>")
    return out


def _html_body(c: SheetContent) -> str:
    out = _head_html(c)
    out.append(f'<section class="conditions"><h2>{_w("conditions")}</h2>')
    head, items = c.conditions[0], c.conditions[1:]
    out.append(f"<p>{_esc(head)}</p>")
    if items:
        out.append('<ol class="conditions">')
        out += [f"<li>{_esc(item)}</li>" for item in items]
        out.append("</ol>")
    out += [f'<p class="note">{_esc(d)}</p>' for d in c.definitions]
    out.append("</section>")
    out += _benefit_html(c)

    out.append('<div class="two">')
    out.append(f"<section><h2>{_w('materials')}</h2>")
    if c.materials:
        out.append("<ol>" + "".join(f"<li>{_esc(m)}</li>" for m in c.materials) + "</ol>")
    else:
        out.append(f"<p>{_w('no_materials')}</p>" if c.no_application else "<p>—</p>")
    out.append("</section>")
    out.append(f'<section><h2>{_w("how")}</h2><dl class="facts">')
    out.append(_facts([(_w("channel"), c.channel), (_w("deadline"), c.deadline),
                       (_w("validity"), c.validity)]))
    out.append("</dl></section></div>")

    out.append(f'<section class="contact"><h2>{_w("contact")}</h2><dl class="facts">')
    out.append(_facts([(_w("department"), c.department), (_w("person"), c.contact),
                       (_w("phone"), c.phone), (_w("url"), c.url)]))
    out.append("</dl></section>")
    if c.basis:
        out.append(f'<section><h2>{_w("basis")}</h2><p class="note">{_esc(c.basis)}</p>'
                   "</section>")
    out.append(f"<footer>{_esc(_footer(c))}</footer>")
    out.append("</article>")
    return "\n".join(out)


def _html_page(title: str, bodies: Iterable[str]) -> str:
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title>", f"<style>{sheet_css()}</style>", "</head>", "<body>",
        *bodies, "</body>", "</html>", ""])


def sheet_article(book: Rulebook, policy_id: str, as_of: dt.date | None = None) -> str:
    """The page's ``<article class="sheet">`` alone (escaped HTML), for a page that has its
    own frame (the portal's ``/policies/{id}``); style it with :func:`sheet_css`."""
    return _html_body(sheet_content(book, policy_id, as_of))


def sheet_html(book: Rulebook, policy_id: str, as_of: dt.date | None = None) -> str:
    """The 一表读懂 page of one item: a complete, self-contained HTML document."""
    c = sheet_content(book, policy_id, as_of)
    return _html_page(_w("title", name=c.name), [_html_body(c)])


def sheets_html(book: Rulebook, policy_ids: Sequence[str], as_of: dt.date | None = None) -> str:
    """Several items in one document, one printed page each (for printing the wall)."""
    bodies = [_html_body(sheet_content(book, pid, as_of)) for pid in policy_ids]
    return _html_page(_w("all_title"), bodies)


# ---- Markdown ------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(value: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", value)


def _benefit_md(c: SheetContent) -> list[str]:
    if not c.benefit:
        return []
    out = [f"## {_w('benefit')}", ""]
    if c.tiers is not None:
        out += [_md(c.tiers.lead), "", f"| {_w('tier_case')} | {_w('tier_value')} |",
                "| --- | --- |", *(f"| {_md(a)} | {_md(b)} |" for a, b in c.tiers.rows), "",
                _w("tier_order"), ""]
        out += [line for d in c.tiers.definitions for line in (_md(d), "")]
    else:
        out += [line for b in c.benefit for line in (_md(b), "")]
    if c.group:
        out += [_md(_w("group_note", group=c.group)), ""]
    return out


def sheet_markdown(book: Rulebook, policy_id: str, as_of: dt.date | None = None) -> str:
    """The 一表读懂 page of one item as Markdown (the QR code as an embedded data URI)."""
    c = sheet_content(book, policy_id, as_of)
    kicker = _w("kicker").split(" · ")[0]
    out = [f"# {_md(c.name)}", "",
           f"> {kicker} · " + " · ".join(_md(words) for words, _ in badges(c)), ""]
    if expiring_note(c):
        out += [f"**{_md(expiring_note(c))}**", ""]
    if c.content:
        out += [f"**{_w('content')}** {_md(c.content)}", ""]
    out += [f"## {_w('target')}", "", _md(c.target), "", f"## {_w('conditions')}", "",
            _md(c.conditions[0]), ""]
    if len(c.conditions) > 1:
        out += [f"- {_md(item)}" for item in c.conditions[1:]] + [""]
    for d in c.definitions:
        out += [_md(d), ""]
    out += _benefit_md(c)
    out += [f"## {_w('materials')}", ""]
    if c.materials:
        out += [f"{i}. {_md(m)}" for i, m in enumerate(c.materials, start=1)] + [""]
    else:
        out += [_w("no_materials") if c.no_application else "—", ""]
    out += [f"## {_w('how')}", ""]
    facts = [(_w("channel"), c.channel), (_w("deadline"), c.deadline),
             (_w("validity"), c.validity)]
    out += [f"- **{k}：** {_md(v)}" for k, v in facts if v] + [""]
    out += [f"## {_w('contact')}", ""]
    facts = [(_w("department"), c.department), (_w("person"), c.contact),
             (_w("phone"), c.phone)]
    out += [f"- **{k}：** {_md(v)}" for k, v in facts if v]
    if c.url:
        out += [f"- **{_w('url')}：** <{c.url}>", "",
                f"![{_w('url')}二维码]({qr_data_uri(c.url)})"]
    out.append("")
    if c.basis:
        out += [f"## {_w('basis')}", "", _md(c.basis), ""]
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
    body = (f'<article class="sheet"><header><div class="kicker">{_w("all_title")}</div>'
            f"<h1>{_w('index_heading', n=len(ids))}</h1></header>"
            f'<ol>{links}</ol><p class="note"><a href="{_esc(quote(COMBINED_NAME))}">'
            f"{_w('print_all')}</a></p></article>")
    return _html_page(_w("all_title"), [body])


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
    "COMBINED_NAME", "EXPIRING_WITHIN", "INDEX_NAME", "SheetContent", "badges",
    "expiring_note", "page_names", "page_status", "qr_data_uri", "qr_svg", "safe_name",
    "sheet_article", "sheet_content", "sheet_css", "sheet_html", "sheet_markdown",
    "sheet_paths", "sheets_html", "write_sheets",
]
