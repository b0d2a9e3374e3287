"""Turn the TEI of one FRUS document into the clean HTML of its text rendition.

Readers see this HTML beside the record's metadata, and full-text search indexes its text,
so no TEI element may leak out and every character of text is escaped here. Footnotes become
numbered links to an `<aside class="notes">` at the end; page breaks stay as empty
`<span class="pb" data-page="N">` markers so a citation can name the printed page; links to
other FRUS documents point at history.state.gov and carry `data-record` with the fonds id,
which the web layer may rewrite to a local link. Called by `tei_frus` and `tei`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from html import escape

from lxml import etree

TEI_NS = "http://www.tei-c.org/ns/1.0"
FRUS_NAMESPACES = ("http://history.state.gov/frus/ns/1.0", "http://history.state.gov/ns/1.0")
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
HSG = "https://history.state.gov/historicaldocuments/"

_HI = {
    "italic": ("em", None),
    "bold": ("strong", None),
    "strong": ("strong", None),
    "strpng": ("strong", None),  # a typo in one volume
    "underline": ("u", None),
    "superscript": ("sup", None),
    "sub": ("sub", None),
    "subscript": ("sub", None),
    "smallcaps": ("span", "smallcaps"),
    "roman": ("span", "roman"),
}
# Containers whose text flows inline: a block element met inside them becomes a span.
_INLINE_PARENTS = {"p", "head", "hi", "label", "signed", "salute", "dateline", "q", "ref"}
# Children that make a TEI <p> too big for an HTML <p>: it becomes <div class="p">.
_BLOCK_CHILDREN = {"list", "table", "figure", "div", "floatingText", "closer", "lg"}
_SIMPLE_BLOCKS = {
    "opener": ("div", "opener"),
    "closer": ("div", "closer"),
    "postscript": ("div", "postscript"),
    "argument": ("div", "argument"),
    "epigraph": ("div", "epigraph"),
    "byline": ("p", "byline"),
    "dateline": ("p", "dateline"),
    "salute": ("p", "salute"),
    "signed": ("p", "signed"),
    "trailer": ("p", "trailer"),
    "lg": ("div", "verse"),
    "l": ("p", "line"),
}
_SKIPPED = {"graphic", "figDesc"}
_BLOCK_TAGS = (
    "p|div|ul|ol|li|dl|dt|dd|table|caption|tr|td|th|blockquote|section|aside|h2|h3|h4|figure"
)
# Two patterns that each start with a literal: far faster than one with a leading \s*.
_VISIBLE_TEXT = re.compile(r"(?:^|>)[^<]*?[^\s<]")
# Layout whitespace that markup left inside brackets: "(<persName> Tate </persName>)".
_BRACKET_SPACES = (("( ", "("), ("[ ", "["), (" )", ")"), (" ]", "]"))
_BLOCK_TAG_START = re.compile(rf"/?(?:{_BLOCK_TAGS})\b")
# Layout whitespace that markup left just inside brackets, with inline tags in between:
# "(<persName>\n <hi>Tate</hi>\n</persName>)" reads "(<em>Tate</em>)", not "( <em>Tate</em> )".
_INLINE_TAGS = "a|abbr|cite|del|em|ins|q|span|strong|sub|sup|u"
_OPENING_BRACKET = re.compile(rf"([(\[])((?:\s|<(?:{_INLINE_TAGS})\b[^>]*>)+)")
_CLOSING_BRACKET = re.compile(r"[)\]]")
_CLOSING_INLINE_TAG = re.compile(rf"</(?:{_INLINE_TAGS})>")
# Layout whitespace that markup left before a comma: "<placeName><hi>Washington</hi>
# </placeName>, <date>" reads "<em>Washington</em>, ", not "<em>Washington</em> , ".
_SPACE_BEFORE_COMMA = re.compile(rf"(</(?:{_INLINE_TAGS})>)\s+(?=,)")
_TAG = re.compile(r"<[^>]*>")
_LOCAL_NAMES: dict[str, str] = {}
_FRUS_TAGS: dict[str, frozenset[str]] = {}
# What `_element` does with a tag outside the TEI namespace, by tag.
_SECTION, _CONTENT, _DROP = "section", "content", "drop"


def local_name(element: etree._Element) -> str:
    """The element name without its namespace ("div"), or "" for comments and entities."""
    tag = element.tag
    try:
        return _LOCAL_NAMES[tag]  # a few dozen tags, met a hundred times per document
    except (KeyError, TypeError):  # a new tag; or a comment's tag, a function
        if not isinstance(tag, str):
            return ""
        name = _LOCAL_NAMES[tag] = tag.rpartition("}")[2]
        return name


def is_frus(element: etree._Element, name: str) -> bool:
    """Whether `element` is frus:`name` in either of the two FRUS namespace URIs."""
    tags = _FRUS_TAGS.get(name)
    if tags is None:
        tags = _FRUS_TAGS[name] = frozenset(f"{{{ns}}}{name}" for ns in FRUS_NAMESPACES)
    return element.tag in tags  # a comment's tag is a function: never in the set


class HtmlWriter:
    """Render one document's TEI; collects its footnotes on the way.

    `skip` holds elements that belong to the metadata (the title head, the source note) and
    must not appear in the text. `terms` expands `gloss/@target` abbreviations for tooltips.
    """

    def __init__(
        self,
        volume_id: str,
        record_id: str,
        terms: dict[str, str] | None = None,
        skip: Collection[etree._Element] = (),
    ) -> None:
        self.volume_id = volume_id
        self.record_id = record_id
        self.terms = terms or {}
        self.skip = set(skip)
        self.notes: list[tuple[str, str, str]] = []  # (anchor, label, html)

    # -- public -----------------------------------------------------------------------------

    def body(self, elements: list[etree._Element]) -> str:
        """The HTML for `elements` (children of the document div) followed by the notes."""
        parts: list[str] = []
        for child in elements:
            parts.append(self._element(child, True))
            tail = child.tail
            if tail:
                parts.append(_text(tail))
        return tidy("".join(parts) + self.notes_html())

    def add_note(self, note: etree._Element) -> None:
        """Keep a note whose anchor is not in the text (a footnote on the title)."""
        self._footnote(note)

    def notes_html(self) -> str:
        if not self.notes:
            return ""
        items = []
        for anchor, label, html in self.notes:
            value = f' value="{label}"' if label.isdigit() else ""
            items.append(
                f'<li id="fn-{escape(anchor)}"{value}>'
                f'<a class="fnback" href="#fnref-{escape(anchor)}">{escape(label)}</a> {html}</li>'
            )
        return f'<aside class="notes"><ol>{"".join(items)}</ol></aside>'

    def inline(self, element: etree._Element) -> str:
        """An element's content as inline HTML (used for heads and list items)."""
        return tidy(self._children(element, block=False))

    # -- rendering --------------------------------------------------------------------------

    def _children(self, element: etree._Element, block: bool) -> str:
        """The element's text and children, each child with its tail (the hot loop: one
        call per child, no more)."""
        text = element.text
        parts = [_text(text)] if text else []
        for child in element:
            parts.append(self._element(child, block))
            tail = child.tail
            if tail:  # most tails are the markup's indentation: one space, no call
                parts.append(" " if tail.isspace() else _text(tail))
        return "".join(parts)

    def _element(self, element: etree._Element, block: bool) -> str:
        if element in self.skip:
            return ""
        tag = element.tag
        try:
            name, foreign = _TAGS[tag]
        except (KeyError, TypeError):
            name, foreign = _classify(tag)
        if foreign:
            if foreign == _SECTION:
                return self._wrap("section", "attachment", element, block=True)
            if foreign == _CONTENT:
                return self._children(element, block)
            return ""  # frus:pdf, frus:file, frus:page-count…: catalogue data, not text
        handler = _HANDLERS.get(name)
        if handler is not None:
            return handler(self, element, block)
        inline = _INLINE.get(name)
        if inline is not None:
            return self._wrap(inline[0], inline[1], element, block=False)
        if name in _EMPTY:
            return _EMPTY[name]
        if name in _SKIPPED or not name:  # not name: comment, processing instruction, entity
            return ""
        if name in _SIMPLE_BLOCKS:
            html_tag, css = _SIMPLE_BLOCKS[name]
            if block and not _in_inline(element):
                return self._wrap(html_tag, css, element, block=html_tag == "div")
            return self._wrap("span", css, element, block=False)
        return self._children(element, block)

    def _wrap(self, tag: str, css: str | None, element: etree._Element, block: bool) -> str:
        attr = f' class="{css}"' if css else ""
        return f"<{tag}{attr}>{self._children(element, block)}</{tag}>"

    def _p(self, element: etree._Element, block: bool) -> str:
        rend = element.get("rend")
        css = rend if rend in {"center", "right", "left", "flushleft", "sledge"} else None
        if not block or _in_inline(element):
            return self._wrap("span", css or "p", element, block=False)
        if _has_block_child(element):
            return self._wrap("div", " ".join(c for c in ("p", css) if c), element, block=True)
        return self._wrap("p", css, element, block=False)

    def _hi(self, element: etree._Element, block: bool) -> str:
        tag, css = _HI.get(element.get("rend") or "", ("span", None))
        return self._wrap(tag, css, element, block=False)

    def _note(self, element: etree._Element, block: bool) -> str:
        if element.get("rend") == "inline":
            css = "note-inline"
            if block and not _in_inline(element):
                return self._wrap("p", css, element, block=False)
            return self._wrap("span", css, element, block=False)
        anchor, label = self._footnote(element)
        return (
            f'<sup class="fnref"><a href="#fn-{escape(anchor)}" '
            f'id="fnref-{escape(anchor)}">{escape(label)}</a></sup>'
        )

    def _footnote(self, element: etree._Element) -> tuple[str, str]:
        label = (element.get("n") or "").strip() or str(len(self.notes) + 1)
        anchor = element.get(XML_ID) or f"{self.record_id}-fn{len(self.notes) + 1}"
        slot = len(self.notes)
        self.notes.append((anchor, label, ""))
        html = self._children(element, block=True)  # may add notes inside notes
        self.notes[slot] = (anchor, label, html)
        return anchor, label

    def _pb(self, element: etree._Element, block: bool) -> str:
        page = (element.get("n") or "").strip()
        parent = element.getparent()
        if not page or (parent is not None and local_name(parent) in {"table", "row", "list"}):
            return ""
        return f'<span class="pb" data-page="{escape(page)}"></span>'

    def _list(self, element: etree._Element, block: bool) -> str:
        if not block or _in_inline(element):
            return self._wrap("span", "list", element, block=False)
        heads = [c for c in element if local_name(c) == "head"]
        caption = "".join(
            f'<p class="list-head">{self._children(h, block=False)}</p>' for h in heads
        )
        children = [c for c in element if local_name(c) != "head"]
        css = element.get("type")
        attr = f' class="{escape(css)}"' if css else ""
        if any(local_name(c) == "label" for c in children):
            rows = []
            for child in children:
                name = local_name(child)
                if name == "label":
                    rows.append(f"<dt>{self._children(child, block=False)}</dt>")
                elif name == "item":
                    rows.append(f"<dd>{self._children(child, block=True)}</dd>")
            return f"{caption}<dl{attr}>{''.join(rows)}</dl>"
        tag = "ol" if element.get("rend") in {"numbered", "ordered"} else "ul"
        items = "".join(
            f"<li>{self._children(c, block=True)}</li>" for c in children if local_name(c) == "item"
        )
        return f"{caption}<{tag}{attr}>{items}</{tag}>"

    def _table(self, element: etree._Element, block: bool) -> str:
        caption = "".join(
            f"<caption>{self._children(c, block=False)}</caption>"
            for c in element
            if local_name(c) == "head"
        )
        rows = []
        for row in element:
            if local_name(row) != "row":
                continue
            cells = []
            for cell in row:
                if local_name(cell) != "cell":
                    continue
                tag = "th" if cell.get("role") == "label" else "td"
                attrs = ""
                for tei, html in (("cols", "colspan"), ("rows", "rowspan")):
                    value = cell.get(tei, "")
                    if value.isdigit() and value != "1":
                        attrs += f' {html}="{value}"'
                cells.append(f"<{tag}{attrs}>{self._children(cell, block=True)}</{tag}>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        return f"<table>{caption}{''.join(rows)}</table>"

    def _quote(self, element: etree._Element, block: bool) -> str:
        if block and not _in_inline(element):
            return self._wrap("blockquote", None, element, block=True)
        return self._wrap("span", "quote", element, block=False)

    def _ref(self, element: etree._Element, block: bool) -> str:
        href, record = self._target(element.get("target") or "")
        content = self._children(element, block=False) or escape(element.get("target") or "")
        if not href:
            return content
        data = f' data-record="{escape(record)}"' if record else ""
        return f'<a href="{escape(href)}"{data}>{content}</a>'

    def _target(self, target: str) -> tuple[str, str]:
        """history.state.gov URL and fonds record id of a FRUS link target."""
        target = target.strip().split()[0] if target.strip() else ""
        if not target:
            return "", ""
        if re.match(r"^https?://", target):
            return target, ""
        if target.startswith("#"):
            local = target[1:]
            record = f"{self.volume_id}{local}" if re.fullmatch(r"d\d+", local) else ""
            return f"{HSG}{self.volume_id}/{local}", record
        if re.fullmatch(r"frus[\w-]+", target):
            volume, _, local = target.partition("#")
            match = re.fullmatch(r"(frus[\w-]+?)(d\d+)", volume)
            if match:
                return f"{HSG}{match.group(1)}/{match.group(2)}", volume
            return f"{HSG}{volume}", ""
        if re.fullmatch(r"frus[\w-]+#[\w.-]+", target):
            volume, _, local = target.partition("#")
            record = f"{volume}{local}" if re.fullmatch(r"d\d+", local) else ""
            return f"{HSG}{volume}/{local}", record
        return "", ""

    def _gloss(self, element: etree._Element, block: bool) -> str:
        content = self._children(element, block=False)
        target = (element.get("target") or "").lstrip("#")
        expansion = self.terms.get(target)
        if expansion:
            return f'<abbr title="{escape(expansion)}">{content}</abbr>'
        return content

    def _head(self, element: etree._Element, block: bool) -> str:
        if block and not _in_inline(element):
            return self._wrap("h3", None, element, block=False)
        return self._wrap("strong", None, element, block=False)

    def _div(self, element: etree._Element, block: bool) -> str:
        css = element.get("type")
        if css == "document":
            enclosed = any(a.get("type") == "document" for a in element.iterancestors())
            css = "attachment" if enclosed else "document"
        attr = f' class="{escape(css)}"' if css else ""
        return f"<section{attr}>{self._children(element, block=True)}</section>"

    def _figure(self, element: etree._Element, block: bool) -> str:
        caption = "".join(
            self._children(c, block=False)
            for c in element
            if local_name(c) in {"head", "figDesc", "p"}
        )
        if not caption.strip():
            return ""
        if block and not _in_inline(element):
            return f"<figure><figcaption>{caption}</figcaption></figure>"
        return f'<span class="figure">{caption}</span>'


# How each TEI element becomes HTML: a method, an inline wrapper, or a fixed string.
_HANDLERS: dict[str, Callable[[HtmlWriter, etree._Element, bool], str]] = {
    "p": HtmlWriter._p,
    "hi": HtmlWriter._hi,
    "note": HtmlWriter._note,
    "pb": HtmlWriter._pb,
    "list": HtmlWriter._list,
    "table": HtmlWriter._table,
    "quote": HtmlWriter._quote,
    "ref": HtmlWriter._ref,
    "ptr": HtmlWriter._ref,
    "gloss": HtmlWriter._gloss,
    "head": HtmlWriter._head,
    "div": HtmlWriter._div,
    "floatingText": HtmlWriter._div,
    "figure": HtmlWriter._figure,
}
_INLINE: dict[str, tuple[str, str | None]] = {
    "q": ("q", None),
    "del": ("del", None),
    "add": ("ins", None),
    "title": ("cite", None),
    "emph": ("em", None),
    "foreign": ("em", None),
    "label": ("span", "label"),
    "item": ("li", None),
}
_EMPTY = {"lb": "<br>", "gap": '<span class="gap">[…]</span>'}
_TAGS: dict[str, tuple[str, str | None]] = {}


def _classify(tag: object) -> tuple[str, str | None]:
    """A tag's local name, and for a tag outside TEI what becomes of it (kept by tag)."""
    if not isinstance(tag, str):
        return "", None  # comment, processing instruction, unexpanded entity
    name = tag.rpartition("}")[2]
    foreign: str | None = None
    if "}" in tag and not tag.startswith(f"{{{TEI_NS}}}"):
        if any(tag == f"{{{ns}}}attachment" for ns in FRUS_NAMESPACES):
            foreign = _SECTION
        elif any(tag == f"{{{ns}}}problem" for ns in FRUS_NAMESPACES) or not any(
            ns in tag for ns in FRUS_NAMESPACES
        ):
            foreign = _CONTENT
        else:
            foreign = _DROP
    _TAGS[tag] = (name, foreign)
    return name, foreign


def text_of(element: etree._Element, skip: Collection[etree._Element] = ()) -> str:
    """Plain text of an element without its notes (and without `skip`), whitespace collapsed."""
    if not len(element) and not skip and local_name(element):
        text = element.text or ""  # most names: no children, no tree walk
    else:
        parts: list[str] = []
        _collect_text(element, set(skip), parts, top=True)
        text = "".join(parts)
    return _tighten_brackets(" ".join(text.split()))


def has_text(html: str) -> bool:
    """Whether HTML shows any text at all (cheaper than converting it to text)."""
    return _VISIBLE_TEXT.search(html) is not None


def tidy(html: str) -> str:
    """Drop the layout whitespace around block tags, inside brackets and before commas.

    The HTML is ours (text escaped, so every `<` opens a tag): cut at each `<`, which is
    cheaper than a regex that has to try every space of the text.
    """
    parts = html.split("<")
    for position in range(1, len(parts)):
        part = parts[position]
        if _BLOCK_TAG_START.match(part) is None:
            continue
        parts[position - 1] = parts[position - 1].rstrip()
        end = part.find(">") + 1
        if end and part[end : end + 1].isspace():
            parts[position] = part[:end] + part[end:].lstrip()
    html = _tighten_html_brackets("<".join(parts).strip())
    return _SPACE_BEFORE_COMMA.sub(r"\1", html) if " ," in html else html


def _tighten_html_brackets(html: str) -> str:
    """Drop whitespace just inside brackets, looking through inline tags, as `text_of`
    does for plain text. Both searches start at a bracket, a literal: a pattern that ends
    at one would be tried at every space of the text."""
    html = _OPENING_BRACKET.sub(_bracket_and_tags, html)
    pieces: list[str] = []
    done = 0
    for bracket in _CLOSING_BRACKET.finditer(html):
        end = start = bracket.start()
        while start > done:  # back over whitespace and closing inline tags
            if html[start - 1].isspace():
                start -= 1
            elif html[start - 1] == ">":
                tag = html.rfind("</", done, start)
                if tag < 0 or _CLOSING_INLINE_TAG.fullmatch(html, tag, start) is None:
                    break
                start = tag
            else:
                break
        stretch = html[start:end]
        tags = "".join(_CLOSING_INLINE_TAG.findall(stretch))
        if len(tags) != len(stretch):
            pieces += [html[done:start], tags]
            done = end
    pieces.append(html[done:])
    return "".join(pieces)


def _bracket_and_tags(found: re.Match[str]) -> str:
    return found.group(1) + "".join(_TAG.findall(found.group(2)))


def _collect_text(
    element: etree._Element, skip: set[etree._Element], parts: list[str], top: bool
) -> None:
    name = local_name(element)
    hidden = element in skip or (name == "note" and not top) or not name
    if not hidden:
        if name == "lb":
            parts.append(" ")
        parts.append(element.text or "")
        for child in element:
            _collect_text(child, skip, parts, top=False)
    if not top:
        parts.append(element.tail or "")


def _tighten_brackets(text: str) -> str:
    """Drop the one space (whitespace is collapsed already) just inside a bracket."""
    for spaced, tight in _BRACKET_SPACES:
        if spaced in text:
            text = text.replace(spaced, tight)
    return text


def _text(value: str | None) -> str:
    """Escaped text with its layout whitespace collapsed (str.split beats a regex here)."""
    if not value:
        return ""
    if value.isspace():
        return " "
    words = value.split()
    text = " ".join(words)
    if value[0].isspace():
        text = " " + text
    if value[-1].isspace():
        text += " "
    if "&" in text or "<" in text or ">" in text:  # rare: skip escape()'s three passes
        text = escape(text, quote=False)
    return text


def _in_inline(element: etree._Element) -> bool:
    """Whether `element` sits where HTML allows only inline content."""
    parent = element.getparent()
    if parent is None:
        return False
    name = local_name(parent)
    if name == "p":
        return not _has_block_child(parent)
    return name in _INLINE_PARENTS


def _has_block_child(paragraph: etree._Element) -> bool:
    for child in paragraph:
        name = local_name(child)
        if name in _BLOCK_CHILDREN:
            return True
        if name == "quote" and any(local_name(c) in {"p", "list", "lg"} for c in child):
            return True
    return False
