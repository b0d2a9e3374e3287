"""The search language readers type, parsed by fonds into a small tree.

A reader's query never reaches an engine as text: `parse_query` turns it into `Node`s and each
backend (`_tantivy.py`, later `_postgres.py`) compiles those into its own query objects. The
parser never raises. Whatever it cannot read (an unclosed quote, a lone `OR`, `field:` with
nothing after it, control characters) it repairs or drops, and says so in `Query.warnings`,
which the search page shows beside the results.

Syntax: words (all must match), "exact phrases", `OR`, `AND`, `NOT` / `-word`, `word*`
(prefix), parentheses, `field:value` and `field:"two words"`, and dates
`date:1960..1962`, `date:1961-03`, `date:..1962`, `date:1962..`. See docs/search.md.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

# Fields a reader may name; anything else before a colon is searched as words.
FIELDS: tuple[str, ...] = (
    "title",
    "person",
    "place",
    "subject",
    "collection",
    "language",
    "classification",
    "repository",
    "donor",
    "type",
)
# Common spellings readers try, mapped onto the fields above.
FIELD_ALIASES: dict[str, str] = {
    "people": "person",
    "persons": "person",
    "author": "person",
    "creator": "person",
    "places": "place",
    "coverage": "place",
    "subjects": "subject",
    "collections": "collection",
    "lang": "language",
    "languages": "language",
    "repositories": "repository",
    "donors": "donor",
    "classifications": "classification",
}
MAX_QUERY_LENGTH = 1000
MAX_TERMS = 64
MAX_DEPTH = 16
MIN_PREFIX = 2

# An expansion function from the names authority: every written form of a name. It may return
# plain strings or (form, note) pairs; only the form is used.
Expand = Callable[[str], Sequence[str | tuple[str, str]]]


@dataclass(frozen=True)
class Word:
    """One word; `prefix` for `word*`; `field` when the reader wrote `field:word`."""

    text: str
    field: str | None = None
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    """Words that must appear together and in order."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class DateRange:
    """Records whose date range overlaps [start, end]; an open end is None."""

    start: date | None
    end: date | None
    text: str = field(default="", compare=False)


@dataclass(frozen=True)
class Names:
    """A name written in several forms (Khrushchev, Хрущёв, Chruschtschow): any may match."""

    text: str
    forms: tuple[str, ...]
    field: str | None = None


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Word | Phrase | DateRange | Names | And | Or | Not


@dataclass(frozen=True)
class Query:
    """A parsed query: the tree (None matches everything) and what was repaired on the way."""

    text: str
    root: Node | None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        return "" if self.root is None else to_text(self.root)

    @property
    def is_empty(self) -> bool:
        return self.root is None

    @property
    def dated(self) -> bool:
        """Whether the query itself sets a date range (`date:1961..1962`)."""
        return any(isinstance(node, DateRange) for node in walk(self.root))

    def names(self) -> list[Names]:
        """Every expanded name in the tree, for reporting which form each hit matched."""
        return [n for n in walk(self.root) if isinstance(n, Names)]


# --- public functions -------------------------------------------------------------------------


def parse_query(text: str) -> Query:
    """Parse what a reader typed; never raises, repairs what it must and says so."""
    warnings: list[str] = []
    if not isinstance(text, str):  # defensive: callers pass form values
        text = "" if text is None else str(text)
    clean = _strip_controls(text)
    if clean != text and clean.strip() != text.strip():
        warnings.append("Control characters in the query were ignored.")
    if len(clean) > MAX_QUERY_LENGTH:
        clean = clean[:MAX_QUERY_LENGTH]
        warnings.append(f"The query was cut to its first {MAX_QUERY_LENGTH} characters.")
    tokens = list(_lex(clean, warnings))
    parser = _Parser(tokens, warnings)
    root = parser.parse()
    root = _limit_terms(root, warnings)
    return Query(text=text, root=root, warnings=tuple(_unique(warnings)))


def parse_date_range(text: str) -> DateRange | None:
    """Read `1960..1962`, `1961-03`, `..1962`, `1962..` or a single date; None if unreadable."""
    text = text.strip()
    if ".." in text:
        left, _, right = text.partition("..")
        start = _parse_bound(left, end=False) if left.strip() else None
        end = _parse_bound(right, end=True) if right.strip() else None
        if (left.strip() and start is None) or (right.strip() and end is None):
            return None
        if start is None and end is None:
            return None
        if start and end and start > end:
            start, end = _parse_bound(right, end=False), _parse_bound(left, end=True)
        return DateRange(start, end, text)
    start = _parse_bound(text, end=False)
    end = _parse_bound(text, end=True)
    if start is None or end is None:
        return None
    return DateRange(start, end, text)


def date_filter(
    date_from: str | None, date_to: str | None, warnings: list[str]
) -> DateRange | None:
    """The range of a search's from/to parameters (`1961`, `1961-03`, `March 1962`), or None.

    An unreadable bound is dropped with a warning; bounds the wrong way round are swapped.
    """
    start = end = None
    if date_from and date_from.strip():
        rng = parse_date_range(date_from)
        if rng is None:
            warnings.append(f'"{date_from}" is not a date this search reads; "from" was ignored.')
        else:
            start = rng.start
    if date_to and date_to.strip():
        rng = parse_date_range(date_to)
        if rng is None:
            warnings.append(f'"{date_to}" is not a date this search reads; "to" was ignored.')
        else:
            end = rng.end
    if start is None and end is None:
        return None
    if start and end and start > end:
        warnings.append("The dates were the wrong way round; they were swapped.")
        start, end = date(end.year, 1, 1), date(start.year, 12, 31)
    return DateRange(start, end, f"{date_from or ''}..{date_to or ''}")


def expand_names(query: Query, expand: Expand | None) -> Query:
    """Replace names in `query` by every form the authority knows of them.

    Expanded are `person:` values, and plain words or phrases that look like names
    (capitalised, or written in Chinese characters); runs of capitalised words such as
    `Mao Zedong` are tried as one name first. A name with no other forms stays as it was.
    """
    if expand is None or query.root is None:
        return query
    warnings = list(query.warnings)
    root = _expand_node(query.root, expand, warnings)
    return replace(query, root=root, warnings=tuple(_unique(warnings)))


def walk(node: Node | None) -> Iterator[Node]:
    """Every node of a tree, parents first."""
    if node is None:
        return
    yield node
    if isinstance(node, And | Or):
        for child in node.children:
            yield from walk(child)
    elif isinstance(node, Not):
        yield from walk(node.child)


def to_text(node: Node) -> str:
    """The canonical text of a tree: what the engine was asked, shown back to the reader."""
    if isinstance(node, Word):
        prefix = f"{node.field}:" if node.field else ""
        return f"{prefix}{node.text}{'*' if node.prefix else ''}"
    if isinstance(node, Phrase):
        prefix = f"{node.field}:" if node.field else ""
        return f'{prefix}"{node.text}"'
    if isinstance(node, Names):
        forms = " OR ".join(f'"{f}"' if " " in f else f for f in node.forms)
        return f"({node.field + ':' if node.field else ''}{forms})"
    if isinstance(node, DateRange):
        start = node.start.isoformat() if node.start else ""
        end = node.end.isoformat() if node.end else ""
        return f"date:{start}..{end}"
    if isinstance(node, Not):
        return f"-{to_text(node.child)}"
    if isinstance(node, And):
        return " ".join(_group(c) for c in node.children)
    return " OR ".join(_group(c) for c in node.children)


# --- lexer ------------------------------------------------------------------------------------

_OPERATORS = {"AND", "OR", "NOT"}
_STOPCHARS = set(' \t\n()"')


@dataclass(frozen=True)
class _Token:
    kind: str  # WORD, PHRASE, DATE, LP, RP, AND, OR, NOT
    node: Node | None = None


def _strip_controls(text: str) -> str:
    # Control and format characters (NUL, bidi marks, ...) become spaces: they are never meant.
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Co", "Cn") or (cat == "Cf" and ch != "\u200d"):
            out.append(" ")
        elif cat in ("Zl", "Zp", "Zs"):
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _lex(text: str, warnings: list[str]) -> Iterator[_Token]:
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            yield _Token("LP")
            i += 1
        elif ch == ")":
            yield _Token("RP")
            i += 1
        elif ch == '"':
            phrase, i = _read_phrase(text, i, warnings)
            if phrase:
                yield _Token("PHRASE", Phrase(phrase))
        elif ch == "-" and i + 1 < n and text[i + 1] not in _STOPCHARS | {"-"}:
            yield _Token("NOT")
            i += 1
        else:
            j = i
            while j < n and text[j] not in _STOPCHARS:
                j += 1
            raw = text[i:j]
            i = j
            if raw in _OPERATORS:
                yield _Token(raw)
                continue
            name, colon, value = raw.partition(":")
            key = FIELD_ALIASES.get(name.lower(), name.lower())
            if colon and (key in FIELDS or key == "date"):
                if not value and i < n and text[i] == '"':
                    phrase, i = _read_phrase(text, i, warnings)
                    value = phrase
                    if key != "date":
                        if phrase:
                            yield _Token("PHRASE", Phrase(phrase, key))
                        else:
                            warnings.append(f'"{name}:" needs a value after it; it was ignored.')
                        continue
                if not value.strip():
                    warnings.append(f'"{name}:" needs a value after it; it was ignored.')
                    continue
                if key == "date":
                    rng = parse_date_range(value)
                    if rng is None:
                        warnings.append(
                            f'"{value}" is not a date this search reads (try date:1961, '
                            "date:1961-03 or date:1960..1962); it was ignored."
                        )
                    else:
                        yield _Token("DATE", rng)
                    continue
                yield _Token("WORD", _word(value, key, warnings))
                continue
            if colon and name.isalpha() and value.strip(":"):
                # An unknown field: the reader still wants the value, wherever it is.
                warnings.append(f'There is no field "{name}"; "{value}" was searched everywhere.')
                raw = value
            yield _Token("WORD", _word(raw, None, warnings))


def _read_phrase(text: str, i: int, warnings: list[str]) -> tuple[str, int]:
    """Read from the opening quote at `i`; an unclosed quote runs to the end of the query."""
    end = text.find('"', i + 1)
    if end == -1:
        warnings.append("A quotation mark was not closed; the rest was read as a phrase.")
        return text[i + 1 :].strip(), len(text)
    return " ".join(text[i + 1 : end].split()), end + 1


def _word(raw: str, field_name: str | None, warnings: list[str]) -> Word | Phrase:
    prefix = raw.endswith("*")
    text = raw.rstrip("*")
    if prefix and len(text.strip("*?")) < MIN_PREFIX:
        warnings.append(f'"{raw}" is too short to search as a prefix; searched as a word.')
        prefix = False
    text = text.replace("*", " ").strip() or raw
    if not prefix and " " in text:
        return Phrase(text, field_name)
    return Word(text, field_name, prefix)


# --- parser -----------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over tokens: or → and → unary → primary. Drops what it cannot use."""

    def __init__(self, tokens: list[_Token], warnings: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.warnings = warnings

    def peek(self) -> str:
        return self.tokens[self.pos].kind if self.pos < len(self.tokens) else "END"

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node | None:
        parts: list[Node] = []
        while self.peek() != "END":
            node = self.parse_or()
            if node is not None:
                parts.append(node)
            if self.peek() == "RP":
                self.take()
                self.warnings.append("A closing parenthesis had no opening one; it was ignored.")
        return _and(parts)

    def parse_or(self) -> Node | None:
        parts: list[Node] = []
        while True:
            node = self.parse_and()
            if node is not None:
                parts.append(node)
            if self.peek() != "OR":
                break
            self.take()
            if node is None or self.peek() in ("END", "RP", "OR"):
                self.warnings.append('"OR" needs words on both sides; it was ignored.')
        if len(parts) > 1:
            flat: list[Node] = []
            for p in parts:
                flat.extend(p.children if isinstance(p, Or) else [p])
            return Or(tuple(flat))
        return parts[0] if parts else None

    def parse_and(self) -> Node | None:
        parts: list[Node] = []
        while self.peek() not in ("END", "RP", "OR"):
            if self.peek() == "AND":
                self.take()
                if not parts or self.peek() in ("END", "RP", "OR", "AND"):
                    self.warnings.append('"AND" needs words on both sides; it was ignored.')
                continue
            node = self.parse_unary()
            if node is not None:
                parts.append(node)
        return _and(parts)

    def parse_unary(self) -> Node | None:
        if self.peek() == "NOT":
            self.take()
            if self.peek() in ("END", "RP", "OR", "AND"):
                self.warnings.append('"NOT" needs a word after it; it was ignored.')
                return None
            child = self.parse_unary()
            if child is None:
                return None
            return child.child if isinstance(child, Not) else Not(child)
        return self.parse_primary()

    def parse_primary(self) -> Node | None:
        token = self.take()
        if token.kind == "LP":
            if self.depth >= MAX_DEPTH:
                self.warnings.append("Parentheses nest too deeply; the inner ones were ignored.")
                return None
            self.depth += 1
            node = self.parse_or()
            self.depth -= 1
            if self.peek() == "RP":
                self.take()
            else:
                self.warnings.append("A parenthesis was not closed; it was closed at the end.")
            return node
        return token.node


def _and(parts: list[Node]) -> Node | None:
    flat: list[Node] = []
    for p in parts:
        flat.extend(p.children if isinstance(p, And) else [p])
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _limit_terms(root: Node | None, warnings: list[str]) -> Node | None:
    """Keep the first MAX_TERMS words: a pasted page of text is not a query worth running."""
    leaves = [n for n in walk(root) if isinstance(n, Word | Phrase | DateRange)]
    if len(leaves) <= MAX_TERMS:
        return root
    warnings.append(f"Only the first {MAX_TERMS} words of the query were used.")
    keep = {id(n) for n in leaves[:MAX_TERMS]}
    return _prune(root, keep)


def _prune(node: Node | None, keep: set[int]) -> Node | None:
    if node is None:
        return None
    if isinstance(node, And | Or):
        kids = [k for k in (_prune(c, keep) for c in node.children) if k is not None]
        if not kids:
            return None
        return kids[0] if len(kids) == 1 else type(node)(tuple(kids))
    if isinstance(node, Not):
        child = _prune(node.child, keep)
        return None if child is None else Not(child)
    return node if id(node) in keep else None


# --- dates ------------------------------------------------------------------------------------

_ISO = re.compile(r"^\s*(\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*$")


def _parse_bound(text: str, *, end: bool) -> date | None:
    """The first (or, with `end`, the last) day of a year, month or day written in ISO form."""
    m = _ISO.match(text)
    if m is None:
        return _parse_words_bound(text, end=end)
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    try:
        if year < 1:
            return None
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, last if end else 1)
        return date(year, month, day)
    except ValueError:
        return None


def _parse_words_bound(text: str, *, end: bool) -> date | None:
    """`March 1962`, `spring 1962`: read by fonds.dates when it can."""
    try:
        from fonds.dates import parse_date
    except ImportError:  # pragma: no cover - fonds.dates is part of the package
        return None
    try:
        parsed = parse_date(text)
    except Exception:  # a date parser must not break a search
        return None
    if parsed is None:
        return None
    return parsed.end if end else parsed.start


# --- name expansion ---------------------------------------------------------------------------

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def looks_like_name(text: str) -> bool:
    """Capitalised (Khrushchev, Хрущёв) or in Chinese characters (毛泽东)."""
    return bool(text) and (text[:1].isupper() or bool(_HAN.search(text)))


def _forms(text: str, expand: Expand, warnings: list[str]) -> tuple[str, ...]:
    try:
        found = expand(text)
    except Exception as exc:  # the authority is someone else's code; a search must go on
        warnings.append(f'Other spellings of "{text}" could not be looked up ({exc}).')
        return (text,)
    forms = [text]
    seen = {text.casefold()}
    for item in found or ():
        form = item[0] if isinstance(item, tuple) else item
        if isinstance(form, str) and form.strip() and form.casefold() not in seen:
            seen.add(form.casefold())
            forms.append(form.strip())
    return tuple(forms[:16])


def _expand_node(node: Node, expand: Expand, warnings: list[str]) -> Node:
    if isinstance(node, Word | Phrase) and not (isinstance(node, Word) and node.prefix):
        if node.field == "person" or (node.field is None and looks_like_name(node.text)):
            forms = _forms(node.text, expand, warnings)
            if len(forms) > 1:
                return Names(node.text, forms, node.field)
        return node
    if isinstance(node, Not):
        return Not(_expand_node(node.child, expand, warnings))
    if isinstance(node, Or):
        return Or(tuple(_expand_node(c, expand, warnings) for c in node.children))
    if isinstance(node, And):
        return _and_expanded(node, expand, warnings)
    return node


def _and_expanded(node: And, expand: Expand, warnings: list[str]) -> Node:
    """Try runs of capitalised words (`Mao Zedong`) as one name, longest first."""
    kids = list(node.children)
    out: list[Node] = []
    i = 0
    while i < len(kids):
        done = False
        for size in range(min(4, len(kids) - i), 1, -1):
            run = kids[i : i + size]
            if all(
                isinstance(k, Word) and k.field is None and not k.prefix and looks_like_name(k.text)
                for k in run
            ):
                text = " ".join(k.text for k in run if isinstance(k, Word))
                forms = _forms(text, expand, warnings)
                if len(forms) > 1:
                    out.append(Or((_apart(run, text, expand, warnings), Names(text, forms))))
                    i += size
                    done = True
                    break
        if not done:
            out.append(_expand_node(kids[i], expand, warnings))
            i += 1
    return out[0] if len(out) == 1 else And(tuple(out))


def _apart(run: list[Node], text: str, expand: Expand, warnings: list[str]) -> Node:
    """The words of a run taken for a name, as the reader asked them: all of them, anywhere.

    A run is only perhaps a name ("White House" is not Whitehouse; "Fish Washburne" are two
    men). Words in another script than the records' are expanded one by one, since only
    their other forms can match ("Хрущев Берлин" is Khrushchev and Berlin); Latin words
    stay as typed, as they would outside a run.
    """
    if text.isascii():
        return And(tuple(run))
    return And(tuple(_expand_node(k, expand, warnings) for k in run))


# --- helpers ----------------------------------------------------------------------------------


def _group(node: Node) -> str:
    text = to_text(node)
    return f"({text})" if isinstance(node, And | Or) else text


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
