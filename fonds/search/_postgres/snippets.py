"""Marked titles and body snippets: PostgreSQL's headlines on folded text, put back on the
original letters; CJK runs marked here; which name forms each hit contains."""

from __future__ import annotations

import html
import re

from sqlalchemy import Connection, text

from fonds.search._postgres.compiler import Compiler, Sql
from fonds.search._postgres.folding import fold
from fonds.search._postgres.schema import STEMMED, TABLE
from fonds.search.types import Hit

HEADLINE_CHARS = 200_000  # snippets are looked for in the first this many characters
HEADLINE_WINDOW = 1_500  # and of those, only this many around the first match are parsed
SNIPPET_CHARS = 240
HEADLINE_OPTIONS = "StartSel=<mark>, StopSel=</mark>, MaxWords=40, MinWords=20, ShortWord=2"
TITLE_OPTIONS = "StartSel=<mark>, StopSel=</mark>, HighlightAll=true"
MARK = re.compile(r"(</?mark>)")


def add_snippets(
    conn: Connection,
    compiler: Compiler,
    hits: list[Hit],
    texts: list[tuple[str, str, str]],
) -> None:
    """Marked titles and body snippets: PostgreSQL's headlines, CJK runs marked here.

    Headlines are made of the folded, escaped text (what was indexed) and put back onto the
    original letters by `realign`, so `Хрущев` marks `Хрущёв` and `&lt;` stays escaped.
    """
    escaped = [(html.escape(t, quote=False), html.escape(b, quote=False)) for t, _, b in texts]
    marked: dict[tuple[str, int], str] = {}
    if compiler.marks:
        stems = sorted(set(compiler.stems), key=len, reverse=True)
        pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, stems)) + ")")
        folded = [fold(b) for _, b in escaped]
        windows = [window(f, pattern if stems else None) for f in folded]
        rows = conn.execute(
            text(
                f"SELECT 't', h.i, ts_headline('{STEMMED}'::regconfig, h.txt, "
                f"CAST(:q AS tsquery), '{TITLE_OPTIONS}') "
                "FROM unnest(CAST(:titles AS text[])) WITH ORDINALITY AS h(txt, i) UNION ALL "
                f"SELECT 'b', h.i, ts_headline('{STEMMED}'::regconfig, h.txt, "
                f"CAST(:q AS tsquery), '{HEADLINE_OPTIONS}') "
                "FROM unnest(CAST(:bodies AS text[])) WITH ORDINALITY AS h(txt, i)"
            ),
            {
                "q": " | ".join(f"({m})" for m in compiler.marks),
                "titles": [fold(t) for t, _ in escaped],
                "bodies": [f[a:b] for f, (a, b) in zip(folded, windows, strict=True)],
            },
        )
        for kind, i, headline in rows:
            index = int(i) - 1
            if kind == "t":
                title = escaped[index][0]
                aligned = realign(headline or "", fold(title), title)
            else:
                (a, b), whole = windows[index], escaped[index][1]
                aligned = realign(
                    headline or "",
                    folded[index][a:b],
                    whole[a:b],
                    before=a > 0,
                    after=b < len(whole),
                )
            if "<mark>" in aligned:
                marked[(kind, index)] = aligned
    for index, hit in enumerate(hits):
        title, description, body = texts[index]
        title_html = marked.get(("t", index)) or mark_runs(title, compiler.cjk, None)
        if title_html:
            hit.title_html = join_marks(title_html)
        snippet = marked.get(("b", index)) or mark_runs(body, compiler.cjk, SNIPPET_CHARS)
        hit.snippet = join_marks(snippet) if snippet else lead(description or body)


def realign(
    headline: str, folded: str, original: str, *, before: bool = False, after: bool = False
) -> str:
    """Put the original text back under a headline PostgreSQL made of the folded text.

    Folding keeps every character's position, so the excerpt is found in the folded text
    and the same span of the original is marked. "" when it cannot be found. `before` and
    `after` say that `original` was itself cut from a longer text.
    """
    plain = MARK.sub("", headline)
    if not plain.strip():
        return ""
    start = folded.find(plain)
    if start < 0:
        return ""
    out, pos = [], start
    for part in MARK.split(headline):
        if part in ("<mark>", "</mark>"):
            out.append(part)
        else:
            out.append(original[pos : pos + len(part)])
            pos += len(part)
    result = " ".join("".join(out).split())
    if before or (start > 0 and folded[:start].strip()):
        result = "… " + result
    if after or folded[pos:].strip():
        result += " …"
    return result


def window(folded: str, stems: re.Pattern[str] | None) -> tuple[int, int]:
    """The part of a body worth handing to ts_headline: around the first word of the query.

    ts_headline parses all it is given, at a few MB/s; a stem is nearly always the beginning
    of the words it comes from, so a search for it here finds where the match is.
    """
    if len(folded) <= HEADLINE_WINDOW:
        return 0, len(folded)
    found = stems.search(folded) if stems is not None else None
    start = max(0, found.start() - HEADLINE_WINDOW // 3) if found else 0
    end = min(len(folded), start + HEADLINE_WINDOW)
    if start > 0:  # begin and end between words
        space = folded.find(" ", start, found.start() if found else end)
        start = space + 1 if space >= 0 else start
    if end < len(folded):
        space = folded.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def mark_runs(value: str, runs: list[str], window: int | None) -> str:
    """Mark every occurrence of the CJK runs in `value` (within a window around the first)."""
    hits = sorted(
        (m.start(), m.end()) for run in set(runs) for m in re.finditer(re.escape(run), value)
    )
    if not hits:
        return ""
    begin, end = 0, len(value)
    if window is not None:
        begin = max(0, hits[0][0] - window // 3)
        end = min(len(value), begin + window)
    out, pos = [], begin
    for s, e in hits:
        if s < pos or e > end:
            continue
        out.append(html.escape(value[pos:s], quote=False))
        out.append(f"<mark>{html.escape(value[s:e], quote=False)}</mark>")
        pos = e
    out.append(html.escape(value[pos:end], quote=False))
    text_ = " ".join("".join(out).split())
    if begin > 0:
        text_ = "… " + text_
    if end < len(value):
        text_ += " …"
    return text_


def join_marks(value: str) -> str:
    """Neighbouring marks become one (the words of a phrase, the characters of a word)."""
    return re.sub(r"</mark>(\s*)<mark>", r"\1", value)


def lead(value: str) -> str:
    """The start of a text, escaped: the snippet when no word of the query is in the body."""
    value = " ".join(value.split())
    if len(value) > SNIPPET_CHARS:
        value = value[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return html.escape(value, quote=False)


def mark_variants(conn: Connection, compiler: Compiler, hits: list[Hit]) -> None:
    """Ask, per form of each expanded name, which of the hits on this page contain it."""
    sql = Sql()
    columns = [sql.render(expr) for _, expr in compiler.names]
    ids = sql.bind([hit.id for hit in hits])
    rows = conn.execute(
        text(
            f"SELECT record_id, {', '.join(columns)} FROM {TABLE} "
            f"WHERE record_id = ANY(CAST({ids} AS text[]))"
        ),
        sql.params,
    ).all()
    found = {row[0]: row[1:] for row in rows}
    for hit in hits:
        flags = found.get(hit.id, ())
        forms = [form for (form, _), flag in zip(compiler.names, flags, strict=False) if flag]
        hit.matched_variants = list(dict.fromkeys(forms))
