"""fonds' query tree → tsquery text and SQL over the vectors, every value a bound parameter.

Words are analysed by PostgreSQL in one round trip (`analyze`), then the tree is compiled
(`Compiler`) into tsquery text built from quoted lexemes: nothing a reader types becomes SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from fonds.search._postgres.folding import CJK, WORD_ANY, cjk_tokens, fold
from fonds.search._postgres.schema import STEMMED, WORDS
from fonds.search.query import And, DateRange, Names, Node, Not, Phrase, Word, walk
from fonds.search.types import FACETS, FILTER_ONLY

PREFIX_STEMS = 50


@dataclass(frozen=True)
class Analysis:
    """PostgreSQL's lexemes of one piece of query text, as (position, lexeme) in order."""

    stemmed: tuple[tuple[int, str], ...]
    cjk: tuple[str, ...]  # the CJK runs of the text, matched as bigrams


@dataclass
class Lexicon:
    """What the query's words became: analyses of texts, and the stems of each prefix."""

    texts: dict[str, Analysis] = field(default_factory=dict)
    prefixes: dict[str, tuple[str, ...]] = field(default_factory=dict)


def split_prefix(value: str) -> tuple[str, str]:
    """`Tse-t*` → ("Tse-", "t"): the text before the last word, and that word folded."""
    words = list(WORD_ANY.finditer(value))
    if not words or CJK.search(value):
        return value, ""
    last = words[-1]
    return value[: last.start()], fold(last.group())


def analyze(conn: Connection, root: Node | None) -> Lexicon:
    """Analyse every word, phrase and name form, and look up every prefix, in one round trip."""
    pieces: list[str] = []
    prefixes: list[str] = []
    for node in walk(root):
        if isinstance(node, Word) and node.prefix:
            head, tail = split_prefix(node.text)
            pieces.append(head if tail else node.text)
            if tail:
                prefixes.append(tail)
        elif isinstance(node, Word | Phrase):
            pieces.append(node.text)
        elif isinstance(node, Names):
            pieces += node.forms
    pieces = list(dict.fromkeys(p for p in pieces if p.strip()))
    prefixes = list(dict.fromkeys(prefixes))
    if not pieces and not prefixes:
        return Lexicon()
    found: dict[tuple[int, str], list[tuple[int, str]]] = {}
    rows = conn.execute(
        text(
            "SELECT t.i, 's', v.lexeme, v.positions "
            "FROM unnest(CAST(:texts AS text[])) WITH ORDINALITY AS t(txt, i), "
            f"unnest(to_tsvector('{STEMMED}'::regconfig, t.txt)) AS v "
            "UNION ALL SELECT p.i, 'p', x.stem, NULL "
            "FROM unnest(CAST(:lows AS text[]), CAST(:highs AS text[])) "
            "WITH ORDINALITY AS p(lo, hi, i), LATERAL (SELECT DISTINCT w.stem FROM ("
            f'SELECT stem FROM {WORDS} WHERE word >= p.lo COLLATE "C" '
            "AND word < p.hi COLLATE \"C\" AND stem <> '' ORDER BY word LIMIT 500) AS w "
            f"LIMIT {PREFIX_STEMS}) AS x"
        ),
        {
            "texts": [fold(CJK.sub(" ", p)) for p in pieces],
            "lows": prefixes,
            "highs": [after(p) for p in prefixes],
        },
    )
    for i, kind, lexeme, positions in rows:
        bucket = found.setdefault((int(i) - 1, kind), [])
        bucket += [(int(p), lexeme) for p in positions or [0]]
    return Lexicon(
        texts={
            piece: Analysis(
                stemmed=tuple(sorted(found.get((i, "s"), []))),
                cjk=tuple(CJK.findall(piece)),
            )
            for i, piece in enumerate(pieces)
        },
        prefixes={
            prefix: tuple(sorted(lex for _, lex in found.get((i, "p"), [])))
            for i, prefix in enumerate(prefixes)
        },
    )


def after(prefix: str) -> str:
    """The smallest string after every string that starts with `prefix` (code point order)."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return prefix + "\U0010ffff"
    return prefix[:-1] + chr(last + 1 if last + 1 not in range(0xD800, 0xE000) else 0xE000)


# --- query compilation --------------------------------------------------------------------------


@dataclass(frozen=True)
class Ts:
    """A tsquery (as text) over one of the vectors."""

    column: str
    query: str


@dataclass(frozen=True)
class Bool:
    op: str  # AND, OR, NOT
    children: tuple[Expr, ...]


@dataclass(frozen=True)
class Raw:
    sql: str
    params: tuple[tuple[str, Any], ...] = ()


Expr = Ts | Bool | Raw


@dataclass
class Compiler:
    """fonds' query tree → SQL over the vectors, and what ranking and snippets need."""

    lexicon: Lexicon
    include_undated: bool
    has_dates: bool = False
    # Per column, the tsqueries of every word that is not negated: what ranks a match.
    positive: dict[str, list[str]] = field(default_factory=dict)
    # What snippets mark (the same tsqueries without weights or field names); CJK runs.
    marks: list[str] = field(default_factory=list)
    stems: list[str] = field(default_factory=list)
    cjk: list[str] = field(default_factory=list)
    names: list[tuple[str, Expr]] = field(default_factory=list)
    _negated: int = 0

    def compile(self, node: Node | None) -> Expr | None:
        if node is None:
            return None
        if isinstance(node, Word):
            return self.leaf(node.text, node.field, prefix=node.prefix)
        if isinstance(node, Phrase):
            return self.leaf(node.text, node.field)
        if isinstance(node, Names):
            forms = []
            for form in node.forms:
                expr = self.leaf(form, node.field)
                if expr is not None:
                    forms.append(expr)
                    self.names.append((form, expr))
            return merge("OR", forms)
        if isinstance(node, DateRange):
            self.has_dates = True
            return self.date_overlap(node)
        if isinstance(node, Not):
            self._negated += 1
            child = self.compile(node.child)
            self._negated -= 1
            return None if child is None else negate(child)
        op = "AND" if isinstance(node, And) else "OR"
        kids = [k for k in (self.compile(c) for c in node.children) if k is not None]
        return merge(op, kids)

    def leaf(self, value: str, field_name: str | None, *, prefix: bool = False) -> Expr | None:
        """One word, phrase or name form: a phrase of its lexemes in its column."""
        if prefix:
            head, tail = split_prefix(value)
            if tail:
                return self.prefix(head, tail, field_name)
        found = self.lexicon.texts.get(value)
        if found is None:
            return None
        parts: list[Ts] = []
        if found.stemmed:
            parts.append(self.lexemes(found.stemmed, field_name))
        for run in found.cjk:
            tokens = cjk_tokens(run)[:-1] if len(run) > 1 else [run]
            pairs = tuple(enumerate(tokens, 1))
            parts.append(self.lexemes(pairs, field_name, last_prefix=len(run) == 1))
            if not self._negated:
                self.cjk.append(run)
        return merge("AND", list(parts))

    def lexemes(
        self,
        found: tuple[tuple[int, str], ...],
        field_name: str | None,
        *,
        last_prefix: bool = False,
    ) -> Ts:
        """A phrase of lexemes (one, or alternatives at one position) in the field's column."""
        column, weights, label = "tsv", "", ""
        if field_name == "title":
            weights = "A"
        elif field_name is not None:
            column, label = "tsv_fields", f"{field_name}:"
        last = found[-1][0]
        query = phrase(found, lambda p, lex: term(label + lex, weights, last_prefix and p == last))
        mark = phrase(found, lambda p, lex: term(lex, "", last_prefix and p == last))
        if not self._negated:
            self.positive.setdefault(column, []).append(query)
            self.marks.append(mark)
            self.stems += [lex for _, lex in found]
        return Ts(column, query)

    def prefix(self, head: str, tail: str, field_name: str | None) -> Expr | None:
        """`negotiat*`: the stems of the indexed words that start so; words before it as words."""
        stems = self.lexicon.prefixes.get(tail, ())
        if not stems:
            return Raw("FALSE")  # no word in the archive starts so
        tail_expr = self.lexemes(tuple((1, stem) for stem in stems), field_name)
        head_expr = self.leaf(head, field_name) if head.strip() else None
        return merge("AND", [e for e in (head_expr, tail_expr) if e is not None])

    def date_overlap(self, rng: DateRange) -> Expr:
        """Records whose [date_start, date_end] overlaps the range (and undated ones, if asked)."""
        clauses: list[str] = []
        params: list[tuple[str, Any]] = []
        if rng.end is not None:
            clauses.append("date_start <= {0}")
            params.append(("end", rng.end))
        if rng.start is not None:
            clauses.append(f"date_end >= {{{len(params)}}}")
            params.append(("start", rng.start))
        if not clauses:
            clauses.append("date_start IS NOT NULL")
        overlap = " AND ".join(clauses)
        if self.include_undated:
            overlap = f"({overlap}) OR date_start IS NULL"
        return Raw(overlap, tuple(params))


def term(lexeme: str, weights: str = "", prefix: bool = False) -> str:
    label = ("*" if prefix else "") + weights
    return quote(lexeme) + (f":{label}" if label else "")


def quote(lexeme: str) -> str:
    """A lexeme as tsquery text: quoted, so no character of it is read as an operator."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def phrase(found: tuple[tuple[int, str], ...], render: Any) -> str:
    """Lexemes in order, `<N>` apart as in the text; alternatives at one position ORed."""
    groups: dict[int, list[str]] = {}
    for position, lexeme in found:
        groups.setdefault(position, []).append(render(position, lexeme))
    out, previous = "", None
    for position, terms in sorted(groups.items()):
        unique = list(dict.fromkeys(terms))
        group = unique[0] if len(unique) == 1 else f"({' | '.join(unique)})"
        out = group if previous is None else f"{out} <{position - previous}> {group}"
        previous = position
    return out if len(groups) < 2 else f"({out})"


def merge(op: str, kids: list[Expr]) -> Expr | None:
    """AND/OR of expressions; tsqueries over the same column become one tsquery."""
    if not kids:
        return None
    if len(kids) == 1:
        return kids[0]
    joiner = " & " if op == "AND" else " | "
    by_column: dict[str, list[Ts]] = {}
    rest: list[Expr] = []
    for kid in kids:
        if isinstance(kid, Ts):
            by_column.setdefault(kid.column, []).append(kid)
        else:
            rest.append(kid)
    merged: list[Expr] = []
    for column, queries in by_column.items():
        if len(queries) == 1:
            merged.append(queries[0])
        else:
            merged.append(Ts(column, joiner.join(f"({t.query})" for t in queries)))
    merged += rest
    return merged[0] if len(merged) == 1 else Bool(op, tuple(merged))


def negate(expr: Expr) -> Expr:
    if isinstance(expr, Ts):
        return Ts(expr.column, f"!({expr.query})")
    return Bool("NOT", (expr,))


class Sql:
    """Renders expressions to SQL text, every value a bound parameter."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def render(self, expr: Expr) -> str:
        if isinstance(expr, Ts):
            return f"{expr.column} @@ CAST({self.bind(expr.query)} AS tsquery)"
        if isinstance(expr, Raw):
            names = [self.bind(value) for _, value in expr.params]
            return expr.sql.format(*names)
        if expr.op == "NOT":
            return f"NOT ({self.render(expr.children[0])})"
        return f" {expr.op} ".join(f"({self.render(c)})" for c in expr.children)


def filters_sql(sql: Sql, filters: dict[str, list[str]] | None, warnings: list[str]) -> list[str]:
    out: list[str] = []
    for key, values in (filters or {}).items():
        if key not in FACETS and key not in FILTER_ONLY:
            warnings.append(f'There is no filter "{key}"; it was ignored.')
            continue
        wanted = [v for v in ([values] if isinstance(values, str) else values or []) if v]
        wanted = [v for v in wanted if isinstance(v, str)]
        if not wanted:
            continue
        if key == "id":
            out += [f"record_id = {sql.bind(v)}" for v in wanted]
        elif key == "status":
            out += [f"status = {sql.bind(v)}" for v in wanted]
        else:
            out.append(f"f_{key} @> CAST({sql.bind(wanted)} AS text[])")
    return out
