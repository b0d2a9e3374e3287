"""OAI-PMH 2.0 at `/oai`: how other archives and aggregators harvest this one.

Every published record is an item with `oai_dc` (simple Dublin Core) metadata; collections
are sets (a chapter is a child set of its volume, `volume:chapter`). Datestamps are the
records' `updated_at`, so `from`/`until` give incremental harvests. Resumption tokens are
stateless: each encodes the request and the last (datestamp, id) sent, so a harvest pages
by keyset and survives a server restart. Errors are the protocol's own codes.
Spec: https://www.openarchives.org/OAI/openarchivesprotocol.html
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response
from lxml import etree
from sqlalchemy import Connection, and_, func, or_, select

from fonds.model import Record, html_to_text
from fonds.store import reader
from fonds.store import tables as t
from fonds.web.api import CORS_HEADERS, archive_of

if TYPE_CHECKING:
    from fonds.archive import Archive

router = APIRouter(tags=["OAI-PMH"])

PAGE_SIZE = 100
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
FORMATS = {"oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS)}
# Arguments each verb takes: (required, optional); resumptionToken is exclusive.
VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set", "resumptionToken"}),
    ),
    "ListRecords": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set", "resumptionToken"}),
    ),
}
_SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class OaiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@router.get("/oai", summary="OAI-PMH 2.0 (oai_dc)")
def oai_get(request: Request) -> Response:
    """Answer one OAI-PMH request: `verb` and its arguments in the query string."""
    return answer(request, list(request.query_params.multi_items()))


@router.post(
    "/oai",
    summary="OAI-PMH 2.0 (oai_dc), arguments as a form",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "additionalProperties": {"type": "string"}}
                }
            }
        }
    },
)
async def oai_post(request: Request) -> Response:
    form = await request.form()
    return answer(request, [(k, str(v)) for k, v in form.multi_items()])


def answer(request: Request, pairs: list[tuple[str, str]]) -> Response:
    """The OAI-PMH response document for one request's arguments."""
    archive = archive_of(request)
    base = _base_url(archive, request)
    root, request_el = _envelope(base)
    args: dict[str, str] = {}
    try:
        args = _arguments(pairs)
        verb = args.get("verb", "")
        body = _dispatch(archive, base, verb, args)
        # Only a request without errors of its own echoes its arguments (spec 3.2).
        for key, value in args.items():
            request_el.set(key, _clean(value))
        root.append(body)
    except OaiError as error:
        if error.code not in ("badVerb", "badArgument"):
            for key, value in args.items():
                request_el.set(key, _clean(value))
        element = etree.SubElement(root, f"{{{OAI_NS}}}error", code=error.code)
        element.text = _clean(error.message)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return Response(xml, media_type="text/xml; charset=utf-8", headers=CORS_HEADERS)


# -- verbs --------------------------------------------------------------------------------------


def _dispatch(archive: Archive, base: str, verb: str, args: dict[str, str]) -> etree._Element:
    if verb not in VERBS:
        raise OaiError(
            "badVerb",
            f"Illegal or missing verb {verb!r}." if verb else "The verb argument is missing.",
        )
    required, optional = VERBS[verb]
    given = set(args) - {"verb"}
    if "resumptionToken" in given:
        if given != {"resumptionToken"} or "resumptionToken" not in optional:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument.")
    else:
        missing = required - given
        if missing:
            raise OaiError("badArgument", f"Missing argument(s): {', '.join(sorted(missing))}.")
        unknown = given - required - optional
        if unknown:
            raise OaiError("badArgument", f"Illegal argument(s): {', '.join(sorted(unknown))}.")
    element = etree.Element(f"{{{OAI_NS}}}{verb}")
    if verb == "Identify":
        _identify(archive, base, element)
    elif verb == "ListMetadataFormats":
        _list_formats(archive, base, args.get("identifier"), element)
    elif verb == "ListSets":
        _list_sets(archive, args, element)
    elif verb == "GetRecord":
        _get_record(archive, base, args, element)
    else:
        _list(archive, base, verb, args, element)
    return element


def _identify(archive: Archive, base: str, element: etree._Element) -> None:
    settings = archive.settings
    with archive.store.read() as c:
        earliest = c.execute(
            select(func.min(t.records.c.updated_at)).where(reader.published_clause())
        ).scalar_one_or_none()
    host = _host(archive)
    values = [
        ("repositoryName", settings.site_name),
        ("baseURL", base),
        ("protocolVersion", "2.0"),
        ("adminEmail", getattr(settings, "admin_email", None) or f"archive@{host}"),
        ("earliestDatestamp", _stamp(_as_datetime(earliest) or datetime(1970, 1, 1, tzinfo=UTC))),
        ("deletedRecord", "no"),
        ("granularity", "YYYY-MM-DDThh:mm:ssZ"),
    ]
    for name, value in values:
        etree.SubElement(element, f"{{{OAI_NS}}}{name}").text = value
    description = etree.SubElement(element, f"{{{OAI_NS}}}description")
    identifier = etree.SubElement(
        description, f"{{{IDENTIFIER_NS}}}oai-identifier", nsmap={None: IDENTIFIER_NS}
    )
    identifier.set(
        f"{{{XSI_NS}}}schemaLocation",
        f"{IDENTIFIER_NS} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd",
    )
    for name, value in (
        ("scheme", "oai"),
        ("repositoryIdentifier", host),
        ("delimiter", ":"),
        ("sampleIdentifier", f"oai:{host}:116976"),
    ):
        etree.SubElement(identifier, f"{{{IDENTIFIER_NS}}}{name}").text = value


def _list_formats(
    archive: Archive, base: str, identifier: str | None, element: etree._Element
) -> None:
    if identifier is not None:
        _record_for(archive, identifier)
    for prefix, (schema, namespace) in FORMATS.items():
        fmt = etree.SubElement(element, f"{{{OAI_NS}}}metadataFormat")
        etree.SubElement(fmt, f"{{{OAI_NS}}}metadataPrefix").text = prefix
        etree.SubElement(fmt, f"{{{OAI_NS}}}schema").text = schema
        etree.SubElement(fmt, f"{{{OAI_NS}}}metadataNamespace").text = namespace


def _list_sets(archive: Archive, args: dict[str, str], element: etree._Element) -> None:
    if "resumptionToken" in args:
        raise OaiError("badResumptionToken", "ListSets is answered in one response.")
    with archive.store.read() as c:
        specs = _set_specs(c)
        rows = c.execute(select(t.collections).order_by(t.collections.c.id)).all()
    if not rows:
        raise OaiError("noSetHierarchy", "This archive has no collections.")
    for row in rows:
        item = etree.SubElement(element, f"{{{OAI_NS}}}set")
        etree.SubElement(item, f"{{{OAI_NS}}}setSpec").text = specs[row.id]
        etree.SubElement(item, f"{{{OAI_NS}}}setName").text = row.name
        text = row.description or row.short_description
        if text:
            desc = etree.SubElement(item, f"{{{OAI_NS}}}setDescription")
            dc = etree.SubElement(
                desc, f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}
            )
            dc.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
            etree.SubElement(dc, f"{{{DC_NS}}}description").text = _clean(html_to_text(text))


def _get_record(archive: Archive, base: str, args: dict[str, str], element: etree._Element) -> None:
    record = _record_for(archive, args["identifier"])
    _check_prefix(args["metadataPrefix"])
    with archive.store.read() as c:
        specs = _set_specs(c)
    _record_element(archive, element, record, specs, with_metadata=True)


def _list(
    archive: Archive, base: str, verb: str, args: dict[str, str], element: etree._Element
) -> None:
    if "resumptionToken" in args:
        state = _decode_token(args["resumptionToken"])
    else:
        _check_prefix(args["metadataPrefix"])
        state = {
            "prefix": args["metadataPrefix"],
            "from": args.get("from"),
            "until": args.get("until"),
            "set": args.get("set"),
            "after": None,
            "sent": 0,
        }
    conditions = _list_conditions(archive, state)
    with archive.store.read() as c:
        specs = _set_specs(c)
        if state.get("set"):
            conditions.append(_set_condition(c, specs, state["set"]))
        total = c.execute(
            select(func.count()).select_from(t.records).where(*conditions)
        ).scalar_one()
        page_conditions = list(conditions)
        after = state.get("after")
        if after:
            stamp, last_id = _parse_stamp(after[0], archive), after[1]
            page_conditions.append(
                or_(
                    t.records.c.updated_at > stamp,
                    and_(t.records.c.updated_at == stamp, t.records.c.id > last_id),
                )
            )
        rows = c.execute(
            select(t.records.c.id, t.records.c.updated_at)
            .where(*page_conditions)
            .order_by(t.records.c.updated_at, t.records.c.id)
            .limit(PAGE_SIZE + 1)
        ).all()
    if not rows and not after:
        raise OaiError("noRecordsMatch", "No records match the request.")
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    records = {r.id: r for r in archive.get_many([row.id for row in rows])}
    for row in rows:
        record = records.get(row.id)
        if record is not None:
            _record_element(archive, element, record, specs, with_metadata=verb == "ListRecords")
    sent = int(state.get("sent") or 0)
    if more or "resumptionToken" in args:
        token = etree.SubElement(
            element, f"{{{OAI_NS}}}resumptionToken", completeListSize=str(total), cursor=str(sent)
        )
        if more:
            last = rows[-1]
            token.text = _encode_token(
                {**state, "after": [_raw_stamp(last.updated_at), last.id], "sent": sent + len(rows)}
            )


# -- records as OAI items ----------------------------------------------------------------------


def _record_element(
    archive: Archive,
    parent: etree._Element,
    record: Record,
    specs: dict[str, str],
    *,
    with_metadata: bool,
) -> None:
    container = etree.SubElement(parent, f"{{{OAI_NS}}}record") if with_metadata else parent
    header = etree.SubElement(container, f"{{{OAI_NS}}}header")
    etree.SubElement(header, f"{{{OAI_NS}}}identifier").text = _identifier(archive, record.id)
    etree.SubElement(header, f"{{{OAI_NS}}}datestamp").text = _stamp(
        _as_datetime(record.updated_at) or datetime.now(UTC)
    )
    for collection in record.collections:
        if collection.id in specs:
            etree.SubElement(header, f"{{{OAI_NS}}}setSpec").text = specs[collection.id]
    if with_metadata:
        metadata = etree.SubElement(container, f"{{{OAI_NS}}}metadata")
        metadata.append(dublin_core(record, archive.settings.base_url))


def dublin_core(record: Record, base_url: str) -> etree._Element:
    """The record as simple Dublin Core (oai_dc): what every harvester understands."""
    dc = etree.Element(
        f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}
    )
    dc.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")

    def add(name: str, value: str | None) -> None:
        if value and value.strip():
            etree.SubElement(dc, f"{{{DC_NS}}}{name}").text = _clean(value)

    add("title", record.title)
    for person in record.creators:
        add("creator", person.name)
    for person in record.contributors:
        add("contributor", person.name)
    for term in (*record.subjects, *record.themes):
        add("subject", term.name)
    add("description", record.description)
    dated = record.doc_date
    if dated is not None and not dated.flag and dated.edtf:
        add("date", dated.edtf)
    for term in record.publishers:
        add("publisher", term.name)
    for term in record.type:
        add("type", term.name)
    add("type", "Text")
    for content_type in sorted({r.content_type for r in record.renditions}):
        add("format", content_type)
    add("identifier", f"{base_url.rstrip('/')}/document/{record.id}")
    add("source", record.source)
    for language in record.languages:
        add("language", language.id)
    for collection in record.collections:
        add("relation", collection.name)
    for place in record.original_coverages:
        add("coverage", place.name)
    if record.rights is not None:
        add("rights", record.rights.name)
    return dc


# -- private helpers ---------------------------------------------------------------------------


def _envelope(base: str) -> tuple[etree._Element, etree._Element]:
    root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
    etree.SubElement(root, f"{{{OAI_NS}}}responseDate").text = _stamp(datetime.now(UTC))
    request_el = etree.SubElement(root, f"{{{OAI_NS}}}request")
    request_el.text = base
    return root, request_el


def _arguments(pairs: list[tuple[str, str]]) -> dict[str, str]:
    args: dict[str, str] = {}
    for key, value in pairs:
        if key in args:
            raise OaiError(
                "badArgument" if key != "verb" else "badVerb", f"The argument {key} is repeated."
            )
        args[key] = value
    return args


def _check_prefix(prefix: str) -> None:
    if prefix not in FORMATS:
        raise OaiError(
            "cannotDisseminateFormat", f"The metadata format {prefix!r} is not offered; use oai_dc."
        )


def _list_conditions(archive: Archive, state: dict[str, Any]) -> list[Any]:
    conditions: list[Any] = [reader.published_clause()]
    low = _parse_bound(state.get("from"), archive, end=False)
    high = _parse_bound(state.get("until"), archive, end=True)
    given = [v for v in (state.get("from"), state.get("until")) if v]
    if len(given) == 2 and len(given[0]) != len(given[1]):
        raise OaiError("badArgument", "from and until must have the same granularity.")
    if low is not None and high is not None and low > high:
        raise OaiError("badArgument", "from is later than until.")
    if low is not None:
        conditions.append(t.records.c.updated_at >= low)
    if high is not None:
        conditions.append(t.records.c.updated_at < high)
    return conditions


def _parse_bound(value: str | None, archive: Archive, *, end: bool) -> datetime | None:
    """A from/until argument as the datetime bound to compare (until is exclusive here)."""
    if not value:
        return None
    if _DAY.match(value):
        fmt = "%Y-%m-%d"
    elif _SECOND.match(value):
        fmt = "%Y-%m-%dT%H:%M:%SZ"
    else:
        raise OaiError(
            "badArgument", f"{value!r} is not a UTC datestamp (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)."
        )
    try:
        when = datetime.strptime(value, fmt).replace(tzinfo=UTC)
    except ValueError:
        raise OaiError("badArgument", f"{value!r} is not a valid date.") from None
    if end:
        when += timedelta(days=1) if fmt == "%Y-%m-%d" else timedelta(seconds=1)
    return _db_time(when, archive)


def _db_time(value: datetime, archive: Archive) -> datetime:
    # SQLite keeps naive UTC; PostgreSQL compares aware datetimes.
    return value.replace(tzinfo=None) if archive.settings.is_sqlite else value


def _parse_stamp(value: str, archive: Archive) -> datetime:
    return _db_time(datetime.fromisoformat(value), archive)


def _raw_stamp(value: Any) -> str:
    when = _as_datetime(value)
    assert when is not None
    return when.isoformat()


def _as_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(when, datetime)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _encode_token(state: dict[str, Any]) -> str:
    raw = json.dumps(state, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(data, dict) or data.get("prefix") not in FORMATS:
            raise ValueError
        after = data.get("after")
        if after is not None:
            datetime.fromisoformat(after[0])
            str(after[1])
        int(data.get("sent") or 0)
        return data
    except (ValueError, TypeError, IndexError, KeyError, binascii.Error, UnicodeDecodeError):
        raise OaiError("badResumptionToken", "The resumption token is invalid.") from None


def _set_specs(c: Connection) -> dict[str, str]:
    """Every collection's setSpec: its id (made safe), under its parent's: "volume:chapter"."""
    rows = {
        row.id: row.parent_id
        for row in c.execute(select(t.collections.c.id, t.collections.c.parent_id))
    }

    def own(collection_id: str) -> str:
        safe = re.sub(r"[^A-Za-z0-9\-_.!~*'()]", "_", collection_id)
        return safe if _SET_SPEC.match(safe) else "_"

    def spec(collection_id: str, seen: tuple[str, ...] = ()) -> str:
        parent = rows.get(collection_id)
        if parent and parent in rows and parent not in seen:
            return f"{spec(parent, (*seen, collection_id))}:{own(collection_id)}"
        return own(collection_id)

    return {cid: spec(cid) for cid in rows}


def _set_condition(c: Connection, specs: dict[str, str], set_spec: str) -> Any:
    """Records in the set or any set below it."""
    within = [
        cid for cid, spec in specs.items() if spec == set_spec or spec.startswith(set_spec + ":")
    ]
    if not within:
        raise OaiError("noRecordsMatch", f"There is no set {set_spec!r}.")
    return t.records.c.id.in_(
        select(t.record_collections.c.record_id).where(
            t.record_collections.c.collection_id.in_(within)
        )
    )


def _identifier(archive: Archive, record_id: str) -> str:
    return f"oai:{_host(archive)}:{record_id}"


def _record_for(archive: Archive, identifier: str) -> Record:
    prefix = f"oai:{_host(archive)}:"
    record = archive.get(identifier[len(prefix) :]) if identifier.startswith(prefix) else None
    if record is None:
        raise OaiError("idDoesNotExist", f"No record has the identifier {identifier!r}.")
    return record


def _host(archive: Archive) -> str:
    return urlsplit(archive.settings.base_url).hostname or "localhost"


def _base_url(archive: Archive, request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/oai"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _clean(text: str) -> str:
    """Text XML can carry: control characters (seen in OCR output) are dropped."""
    return _CONTROL.sub("", text)
