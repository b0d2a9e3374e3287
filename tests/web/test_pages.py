"""The reader's pages, through the application's test client, on the seeds and a FRUS volume.

One archive is built per module: the two seed pages, FRUS 1961-63 vol. XXII (385 records),
and three records made here: two with an original transcript and a real scanned PDF (in a
collection of their own, to test side by side, the PDF viewer and previous/next), and one
whose HTML is hostile.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fonds.archive import Archive, open_archive
from fonds.dates import parse_date
from fonds.model import (
    ArchivalReference,
    Collection,
    Language,
    Person,
    Place,
    Record,
    Rendition,
    Term,
)
from fonds.serialize import record_to_json
from fonds.web import errors
from fonds.web.render import clean_html

with warnings.catch_warnings():
    # Starlette asks for `httpx2`, which is not packaged yet; the client works with httpx.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / ".." / "shared" / "corpus"
SEEDS = CORPUS / "seeds"
FRUS_V22 = CORPUS / "frus" / "volumes" / "frus1961-63v22.xml"
SCAN = CORPUS / "jfk-records" / "pdf" / "104-10326-10045_ocr.pdf"
SITE = "Wilson Center Digital Archive"
BASE = "https://wilson-center-digital-archive.dvincitest.com"
DENG_ID = "from-the-diary-of-s-v-chervonenko-transcripts-of-a-conversat"
HOSTILE = (
    "<p>Safe words before.</p><script>alert(1)</script>"
    '<img src="x" onerror="alert(2)"><p onclick="alert(3)">Clicked text</p>'
    '<a href="javascript:alert(4)">bad link</a><iframe src="https://evil.example"></iframe>'
    '<style>body{display:none}</style><p style="color:red">Styled text</p>'
    "<h1>A second heading one</h1>"
)


def build_archive(home: Path, *, hostile: bool = True) -> Archive:
    """The archive every web test reads: seeds, one FRUS volume, and records made here.

    The browser run leaves the hostile record out, since its screenshots go in the README.
    """
    archive = open_archive(home, site_name=SITE, base_url=BASE)
    archive.index  # noqa: B018 - opens (creates) the index, so ingest keeps it in step
    archive.ingest(SEEDS, FRUS_V22)
    collection = Collection(
        id="test-parallel", name="Parallel texts", description="Records made by the web tests."
    )
    russia = Place(name="Moscow", parent="Soviet Union")
    for number, day in ((1, "1962-05-01"), (2, "1962-05-02")):
        archive.save(
            Record(
                id=f"parallel-{number}",
                title=f"Memorandum on the May Day parade, part {number}",
                description="A report on the parade, with the Russian original and the scan.",
                doc_date=parse_date(day),
                source="RGANI, fond 5, opis 30, delo 399, listy 1-3",
                archival_reference=ArchivalReference(
                    raw="RGANI, fond 5, opis 30, delo 399, listy 1-3",
                    repository="RGANI",
                    fond="5",
                    opis="30",
                    delo="399",
                    listy="1-3",
                ),
                languages=[Language(id="rus", name="Russian")],
                collections=[collection],
                original_coverages=[russia],
                subjects=[Term(name="Parades")],
                creators=[Person(name="Ivan Petrovich Sidorov")],
                translations=[
                    Rendition(
                        kind="translation",
                        language=Language(id="eng", name="English"),
                        html="<p>The parade went well.</p>",
                    )
                ],
                transcripts=[
                    Rendition(
                        kind="transcript",
                        language=Language(id="rus", name="Russian"),
                        html="<p>Парад прошёл хорошо.</p>",
                    )
                ],
                media_files=[
                    Rendition(
                        kind="scan",
                        content_type="application/pdf",
                        filename="parade.pdf",
                        source_path=SCAN,
                    )
                ],
            )
        )
    if not hostile:
        return archive
    archive.save(
        Record(
            id="hostile-1",
            title="A <script>alert('title')</script> record",
            description='<b onmouseover="alert(5)">Bold summary</b><script>alert(6)</script>',
            doc_date=parse_date("1963"),
            translations=[Rendition(kind="translation", html=HOSTILE)],
        )
    )
    return archive


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    archive = build_archive(tmp_path_factory.mktemp("web"))
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def client(archive: Archive) -> TestClient:
    from fonds.web import create_app

    return TestClient(create_app(archive), raise_server_exceptions=False)


def text_of(response_text: str) -> str:
    """The page as a reader sees the words: tags dropped, entities decoded, spaces joined."""
    no_tags = re.sub(r"(?s)<(script|style)\b.*?</\1>|<[^>]+>", " ", response_text)
    return " ".join(html.unescape(no_tags).split())


def links(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page)]


# -- the record page ----------------------------------------------------------------------


def test_record_page_shows_everything_on_the_seed_page(client: TestClient) -> None:
    response = client.get("/document/116976")
    assert response.status_code == 200
    page = response.text
    words = text_of(page)
    assert (
        "From the Journal of S. V. Chervonenko, Record of Conversation with Mao Zedong on "
        "26 December 1960" in words
    )
    assert "January 6, 1961" in words
    assert "Event date: December 26, 1960" in words
    assert "Ambassador Chervonenko records an unexpected and surprisingly warm meeting" in words
    assert "This document was made possible with support from Leon Levy Foundation" in words
    assert "Original language Russian" in words
    assert "TOP SECRET" in words
    assert "Maxim Korobochkin" in words
    assert "According to the instructions of the Center I visited Mao Zedong today." in words
    assert "Translation - English" in words
    # The archival reference, split into its levels.
    for label, value in (
        ("Fond", "0100"),
        ("Opis (inventory)", "55"),
        ("Papka (folder)", "454"),
        ("Delo (file)", "9"),
        ("Listy (sheets)", "98-105"),
    ):
        assert re.search(rf"<th scope=\"row\">{re.escape(label)}</th><td>{value}</td>", page)
    assert "AVPRF, fond 0100, opis 55, papka 454, delo 9, listy 98-105" in words
    # People and places are links to their pages.
    assert re.search(r'<a href="/people/\d+">Mao Zedong</a>', page)
    assert re.search(r'<a href="/people/\d+">S. V. Chervonenko</a>', page)
    assert re.search(r'<a href="/places/\d+">China</a>', page)
    assert page.count("<h1") == 1


def test_record_page_prints_the_house_citation_as_the_seed_does(client: TestClient) -> None:
    seed = (SEEDS / "seed-wilson-116976.md").read_text(encoding="utf-8")
    line = seed.split("Citation:", 1)[1].strip().splitlines()[0]
    # The seed's older pages put the comma after the closing quote; the house form puts it
    # inside, as the programme's current pages (the Deng seed) do.
    expected = line.replace('1960", January', '1960," January') + f" {BASE}/document/116976"
    words = text_of(client.get("/document/116976").text)
    assert expected in words


def test_citation_dialog_offers_styles_and_downloads(client: TestClient) -> None:
    page = client.get("/document/116976").text
    dialog = page.split('id="cite"', 1)[1].split("</details>", 1)[0]
    for label in ("Archive", "Chicago", "APA", "MLA"):
        assert f">{label}</figcaption>" in dialog
    # CSL styles load on request: the page links each one, the dialog fetches it.
    assert 'href="/document/116976/cite?style=chicago"' in dialog
    fragment = client.get("/document/116976/cite", params={"style": "chicago", "format": "html"})
    assert fragment.headers["content-type"].startswith("text/html")
    assert "Chervonenko" in text_of(fragment.text) and "<script" not in fragment.text
    for ext in ("bib", "ris", "json"):
        assert f'href="/document/116976/cite.{ext}"' in dialog

    bib = client.get("/document/116976/cite.bib")
    assert bib.headers["content-type"].startswith("application/x-bibtex")
    assert "attachment" in bib.headers["content-disposition"]
    assert bib.text.startswith("@misc{chervonenko1961-116976,")
    ris = client.get("/document/116976/cite.ris")
    assert ris.text.startswith("TY  - UNPB")
    csl = client.get("/document/116976/cite.json").json()
    assert csl[0]["id"] == "116976" and csl[0]["issued"] == {"date-parts": [[1961, 1, 6]]}
    chicago = client.get("/document/116976/cite", params={"style": "chicago"})
    assert chicago.headers["content-type"].startswith("text/plain")
    assert "Record of Conversation with Mao Zedong" in chicago.text
    assert client.get("/document/116976/cite", params={"style": "no-such"}).status_code == 400


def test_share_links_carry_the_permalink_and_no_trackers(client: TestClient) -> None:
    page = client.get("/document/116976").text
    share = page.split('id="share"', 1)[1].split("</details>", 1)[0]
    assert f'value="{BASE}/document/116976"' in share
    hrefs = links(share)
    mail = next(h for h in hrefs if h.startswith("mailto:"))
    assert parse_qs(urlsplit(mail).query)["body"] == [f"{BASE}/document/116976"]
    assert any(h.startswith("https://bsky.app/intent/compose?") for h in hrefs)
    assert "<script src" not in share and "<iframe" not in share


def test_record_page_has_schema_org_and_open_graph(client: TestClient) -> None:
    page = client.get("/document/116976").text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["@type"] == ["ArchiveComponent", "CreativeWork"]
    assert data["url"] == f"{BASE}/document/116976"
    assert data["dateCreated"] == "1961-01-06"
    assert data["inLanguage"] == ["ru"]
    assert data["translator"]["name"] == "Maxim Korobochkin"
    assert data["funder"] == [{"@type": "Organization", "name": "Leon Levy Foundation"}]
    assert f'<meta property="og:url" content="{BASE}/document/116976">' in page
    assert '<meta property="og:title" content="From the Journal of S. V. Chervonenko' in page
    assert f'<link rel="canonical" href="{BASE}/document/116976">' in page


def test_record_json_twin_is_the_records_own_json(client: TestClient, archive: Archive) -> None:
    record = archive.get("116976")
    assert record is not None
    expected = json.loads(json.dumps(record_to_json(record)))
    assert client.get("/document/116976.json").json() == expected
    negotiated = client.get("/document/116976", headers={"Accept": "application/json"})
    assert negotiated.json() == expected
    assert negotiated.headers["vary"] == "Accept"


def test_slug_permalink_and_plural_alias_reach_the_record(client: TestClient) -> None:
    slugged = client.get("/document/116976/from-the-journal-of-s-v-chervonenko")
    assert slugged.status_code == 200 and "Leon Levy Foundation" in slugged.text
    alias = client.get("/records/116976", follow_redirects=False)
    assert alias.status_code == 301 and alias.headers["location"] == "/document/116976"


def test_record_with_original_and_scan_shows_them_side_by_side(
    client: TestClient, archive: Archive
) -> None:
    page = client.get("/document/parallel-1").text
    record = archive.get("parallel-1")
    assert record is not None and record.media_files[0].sha256
    sha = record.media_files[0].sha256
    assert '<input type="checkbox" id="parallel" class="parallel-toggle">' in page
    assert '<div class="prose" lang="en"><p>The parade went well.</p></div>' in page
    assert '<div class="prose" lang="ru"><p>Парад прошёл хорошо.</p></div>' in page
    assert f'<object class="pdf-viewer" type="application/pdf" data="/files/{sha}"' in page
    assert f'href="/files/{sha}?download=1"' in page  # the download fallback
    assert f'href="/files/{sha}" target="_blank"' in page  # open in a new window
    checked = client.get("/document/parallel-1", params={"view": "parallel"}).text
    assert 'class="parallel-toggle" checked>' in checked


def test_stored_scan_is_served_inline_with_its_content_type(
    client: TestClient, archive: Archive
) -> None:
    record = archive.get("parallel-1")
    assert record is not None
    sha = record.media_files[0].sha256
    response = client.get(f"/files/{sha}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.content == SCAN.read_bytes()
    download = client.get(f"/files/{sha}", params={"download": "1"})
    assert download.headers["content-disposition"].startswith("attachment")
    assert client.get("/files/" + "0" * 64).status_code == 404
    assert client.get("/files/not-a-hash").status_code == 404


def test_previous_and_next_stay_within_the_collection(client: TestClient) -> None:
    first = client.get("/document/parallel-1").text
    nav = first.split('aria-label="In this collection"', 1)[1].split("</nav>", 1)[0]
    assert 'rel="next" class="next" href="/document/parallel-2"' in nav
    assert 'rel="prev"' not in nav
    second = client.get("/document/parallel-2").text
    assert 'rel="prev" href="/document/parallel-1"' in second


def test_record_page_search_box_offers_this_collection(client: TestClient) -> None:
    page = client.get("/document/parallel-1").text
    assert '<label for="site-scope" class="scope-label">Search in</label>' in page
    assert '<option value="test-parallel">this collection: Parallel texts</option>' in page


def test_related_records_are_listed(client: TestClient) -> None:
    page = client.get("/document/116976").text
    related = page.split('id="related-h"', 1)[1].split("</section>", 1)[0]
    assert f'href="/document/{DENG_ID}"' in related


def test_hostile_html_in_a_record_is_sanitised(client: TestClient) -> None:
    page = client.get("/document/hostile-1").text
    main = page.split('<main id="main"', 1)[1]
    for bad in (
        "<script>alert",
        "onerror",
        "onclick",
        "onmouseover",
        "javascript:",
        "<iframe",
        "evil.example",
        "<style>",
        'style="',
        "<img",
    ):
        assert bad not in main, bad
    words = text_of(page)
    assert "Safe words before." in words and "Clicked text" in words and "Styled text" in words
    assert "Bold summary" in words
    assert "A &lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; record" in page
    assert page.count("<h1") == 1


def test_clean_html_keeps_footnotes_and_points_record_links_here() -> None:
    source = (
        '<p class="dateline">Warsaw, July 12, 1962.</p><span class="pb" data-page="294"></span>'
        '<sup class="fnref"><a href="#fn-d1fn1" id="fnref-d1fn1">1</a></sup>'
        '<a href="https://history.state.gov/historicaldocuments/frus1961-63v22/d330" '
        'data-record="frus1961-63v22d330">Document 330</a><abbr title="Union">USSR</abbr>'
    )
    cleaned = str(clean_html(source))
    assert '<p class="dateline">Warsaw, July 12, 1962.</p>' in cleaned
    assert '<span class="pb" data-page="294"></span>' in cleaned
    assert '<a href="#fn-d1fn1" id="fnref-d1fn1" rel="noopener noreferrer">1</a>' in cleaned
    assert 'href="/document/frus1961-63v22d330"' in cleaned
    assert '<abbr title="Union">USSR</abbr>' in cleaned


def test_unknown_record_is_a_friendly_404(client: TestClient) -> None:
    response = client.get("/document/no-such-record")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is no published record with this number." in text_of(response.text)
    assert '<form class="big-search" role="search"' in response.text


# -- search -------------------------------------------------------------------------------


def test_search_for_misspelled_ambassador_lists_both_chervonenko_records(
    client: TestClient,
) -> None:
    response = client.get("/search", params={"q": "Chevornenko"})
    assert response.status_code == 200
    page = response.text
    assert 'href="/document/116976"' in page
    assert f'href="/document/{DENG_ID}"' in page
    assert "<mark>" in page


def test_search_shows_count_snippets_and_matched_name_forms(client: TestClient) -> None:
    page = client.get("/search", params={"q": "Khrushchev"}).text
    count = re.search(r'<h2 id="results-h" class="results-count">([\d,]+) records? found', page)
    assert count is not None and int(count.group(1).replace(",", "")) >= 2
    assert '<p class="snippet">' in page and "<mark>" in page
    data = client.get("/search.json", params={"q": "Mao Tse-tung"}).json()
    assert data["total"] >= 10
    assert any("Mao Zedong" in hit["matched_variants"] for hit in data["hits"])
    assert "Matched name form" in client.get("/search", params={"q": "Mao Tse-tung"}).text


def test_facet_links_toggle_filters(client: TestClient) -> None:
    page = client.get("/search", params={"q": "Mao"}).text
    everything = client.get("/search.json", params={"q": "Mao"}).json()["total"]
    facet = page.split('id="facet-collection-h"', 1)[1].split("</section>", 1)[0]
    href = next(h for h in links(facet) if "collection=frus1961-63v22-ch4" in h)
    narrowed_page = client.get(href)
    assert narrowed_page.status_code == 200
    narrowed = client.get(href.replace("/search?", "/search.json?")).json()
    assert 0 < narrowed["total"] < everything
    assert narrowed["filters"] == {"collection": ["frus1961-63v22-ch4"]}
    # The active value is marked, and its link takes the filter off again.
    active = narrowed_page.text.split('id="facet-collection-h"', 1)[1].split("</section>", 1)[0]
    match = re.search(r'<a href="([^"]+)" class="active" aria-current="true">', active)
    assert match is not None
    assert "collection=" not in html.unescape(match.group(1))
    chip = re.search(r'<a class="chip" href="([^"]+)"', narrowed_page.text)
    assert chip is not None and "collection" not in html.unescape(chip.group(1))


def test_search_date_range_keeps_only_that_period(client: TestClient) -> None:
    data = client.get("/search.json", params={"q": "Korea", "from": "1962", "to": "1962"}).json()
    assert data["total"] > 0
    assert all(hit["date"].endswith("1962") for hit in data["hits"])
    page = client.get("/search", params={"q": "Korea", "from": "1962", "to": "1962"}).text
    assert '<input id="from" name="from" value="1962"' in page


def test_search_pages_through_results(client: TestClient) -> None:
    first = client.get("/search.json", params={"sort": "date"}).json()
    second = client.get("/search.json", params={"sort": "date", "page": "2"}).json()
    assert first["total"] == second["total"] > 40
    assert {h["id"] for h in first["hits"]}.isdisjoint(h["id"] for h in second["hits"])
    page = client.get("/search", params={"sort": "date"}).text
    assert 'rel="next"' in page and "page=2" in page


def test_malformed_query_shows_warnings_not_an_error(client: TestClient) -> None:
    response = client.get("/search", params={"q": '"record of (conversation AND', "page": "x"})
    assert response.status_code == 200
    assert 'class="notice" role="status"' in response.text
    assert "was not closed" in text_of(response.text)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=st.text(max_size=80),
    page=st.text(max_size=6),
    extra=st.sampled_from(["", "from", "to", "sort", "person", "collection", "expand"]),
    value=st.text(max_size=20),
)
def test_hostile_query_strings_never_fail(
    client: TestClient, q: str, page: str, extra: str, value: str
) -> None:
    params = {"q": q, "page": page}
    if extra:
        params[extra] = value
    response = client.get("/search", params=params)
    assert response.status_code == 200
    assert "<script>" not in response.text.split('<main id="main"', 1)[1]


# -- browse -------------------------------------------------------------------------------


def test_home_page_has_counts_featured_collections_and_recent_additions(
    client: TestClient, archive: Archive
) -> None:
    page = client.get("/").text
    words = text_of(page)
    assert f"Search {archive.count():,} records" in words
    assert 'href="/collections/frus1961-63v22"' in page
    assert "Recent additions" in words and 'href="/document/hostile-1"' in page
    data = client.get("/index.json").json()
    assert data["counts"]["records"] == archive.count()


def test_collections_list_their_descriptions_and_counts(client: TestClient) -> None:
    page = client.get("/collections").text
    assert "Foreign Relations of the United States, 1961–1963, Volume XXII, Northeast Asia" in page
    listed = client.get("/collections.json").json()
    volume = next(c for c in listed if c["id"] == "frus1961-63v22")
    assert volume["count"] == 385
    assert {child["name"] for child in volume["children"]} >= {"China; Korea; Japan"}


def test_collection_page_lists_records_and_parts(client: TestClient) -> None:
    page = client.get("/collections/frus1961-63v22").text
    assert "Edward C. Keefer" in page
    assert 'href="/collections/frus1961-63v22-comp1"' in page
    data = client.get("/collections/frus1961-63v22.json").json()
    assert data["total"] == 385 and len(data["records"]) == 20
    assert client.get("/collections/nope").status_code == 404


def test_people_pages_show_name_forms_and_records(client: TestClient) -> None:
    people = client.get("/people.json", params={"q": "Mao"}).json()["people"]
    pages = {p["name"]: client.get(p["url"]).text for p in people}
    # The seed's Mao Zedong is a person of his own, or merged with FRUS's form of the name.
    mao = next(page for page in pages.values() if 'href="/document/116976"' in page)
    assert re.search(r"<h1>Mao (Zedong|Tse-tung)", mao)
    # FRUS writes him "Mao Tse-tung (Mao Zedong)", "Mao Tse-tung" and "Mao": the forms show.
    forms = " ".join(
        text_of(page).split("Other forms of the name", 1)[1].split("Records", 1)[0]
        for page in pages.values()
        if "Other forms of the name" in page
    )
    assert "Mao Tse-tung" in forms
    assert client.get("/people/999999").status_code == 404
    assert client.get("/people/abc").status_code == 404


def test_places_are_shown_as_a_hierarchy(client: TestClient) -> None:
    places = client.get("/places.json").json()
    soviet = next(p for p in places if p["name"] == "Soviet Union")
    assert [child["name"] for child in soviet["children"]] == ["Moscow"]
    moscow = client.get(soviet["children"][0]["url"]).text
    assert 'href="/places/' in moscow and "Soviet Union" in moscow
    assert 'href="/document/parallel-1"' in moscow


def test_subject_page_lists_its_records(client: TestClient) -> None:
    subjects = client.get("/subjects.json").json()
    parades = next(s for s in subjects if s["name"] == "Parades")
    assert parades["count"] == 2
    page = client.get(parades["url"]).text
    assert 'href="/document/parallel-2"' in page
    assert "subject=Parades" in page


def test_timeline_goes_from_years_to_months(client: TestClient) -> None:
    years = client.get("/timeline.json").json()["years"]
    assert {
        "year": 1961,
        "count": years[[y["year"] for y in years].index(1961)]["count"],
        "url": "/timeline/1961",
    } in years
    page = client.get("/timeline").text
    assert 'href="/timeline/1961"' in page
    year = client.get("/timeline/1961.json").json()
    january = year["months"][0]
    assert january["month"] == 1 and january["count"] >= 1
    month_page = client.get("/timeline/1961", params={"month": "1"}).text
    assert 'href="/document/116976"' in month_page
    assert client.get("/timeline/notayear").status_code == 404


# -- site-wide ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search?q=Mao",
        "/document/116976",
        "/collections",
        "/collections/frus1961-63v22",
        "/people",
        "/places",
        "/subjects",
        "/timeline",
        "/timeline/1962",
        "/nope",
    ],
)
def test_every_page_has_landmarks_one_heading_and_labelled_inputs(
    client: TestClient, path: str
) -> None:
    page = client.get(path).text
    assert page.startswith("<!doctype html>")
    assert '<html lang="en">' in page
    assert page.count("<h1") == 1
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page and "<header" in page and "<footer" in page
    assert "<nav" in page
    for input_id in re.findall(
        r'<input (?![^>]*type="(?:hidden|checkbox)")[^>]*id="([^"]+)"', page
    ):
        assert f'<label for="{input_id}"' in page, input_id
    # Nothing is loaded from other sites.
    assert not re.search(r'<(script|img|iframe|object)[^>]+(src|data)="https?://', page)
    assert not re.search(r'<link[^>]+rel="(stylesheet|icon|preload)"[^>]+href="https?://', page)


def test_pages_send_a_content_security_policy(client: TestClient) -> None:
    headers = client.get("/document/116976").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_static_files_are_served(client: TestClient) -> None:
    css = client.get("/static/fonds.css")
    assert css.status_code == 200 and "Noto Sans CJK" in css.text
    assert client.get("/static/fonds.js").status_code == 200


def test_sitemap_and_robots(client: TestClient, archive: Archive) -> None:
    sitemap = client.get("/sitemap.xml")
    assert sitemap.headers["content-type"].startswith("application/xml")
    assert f"<loc>{BASE}/document/116976</loc>" in sitemap.text
    assert sitemap.text.count("<loc>") >= archive.count()
    robots = client.get("/robots.txt").text
    assert f"Sitemap: {BASE}/sitemap.xml" in robots


def test_missing_page_is_friendly_html_and_missing_api_is_problem_json(
    client: TestClient,
) -> None:
    page = client.get("/nope")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text
    api = client.get("/api/v1/nope")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"
    problem = api.json()
    assert problem["status"] == api.status_code and problem["instance"] == "/api/v1/nope"
    srv = client.get("/srv/nope/nope/nope.json")
    assert srv.status_code == 404
    assert srv.headers["content-type"] == "application/problem+json"


def test_errors_inline_app_validation_and_crashes(archive: Archive) -> None:
    """A tiny app with the error handlers: bad parameters are 400, crashes a calm 500."""
    app = FastAPI()
    app.state.archive = archive
    errors.install(app)

    @app.get("/api/v1/numbers")
    def numbers(limit: int) -> dict[str, int]:
        return {"limit": limit}

    @app.get("/crash")
    @app.get("/api/v1/crash")
    def crash() -> None:
        raise RuntimeError("secret internals")

    client = TestClient(app, raise_server_exceptions=False)
    bad = client.get("/api/v1/numbers", params={"limit": "many"})
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/problem+json"
    assert "limit" in bad.json()["detail"]
    page = client.get("/crash")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "secret internals" not in page.text and "Traceback" not in page.text
    api = client.get("/api/v1/crash")
    assert api.status_code == 500 and api.json()["status"] == 500
    assert "secret internals" not in api.text


def test_head_requests_get_the_headers_of_the_page_without_a_body(client: TestClient) -> None:
    page = client.get("/document/116976")
    head = client.head("/document/116976")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == page.headers["content-type"]
    assert client.head("/no-such-page").status_code == 404


def test_search_offers_undated_records_only_when_a_date_range_left_them_out(
    client: TestClient,
) -> None:
    notice = re.compile(r"([\d,]+) matching records? (?:has|have) no date")
    listed = client.get("/search", params={"q": "Berlin"}).text
    assert notice.search(listed) is None  # no range: the undated ones are among the hits
    ranged = client.get("/search", params={"q": "Berlin date:1950..1970"}).text
    found = notice.search(ranged)
    assert found is not None and int(found.group(1)) >= 1
    assert "Include undated records" in ranged
    by_form = client.get("/search", params={"q": "Berlin", "from": "1950", "to": "1970"}).text
    assert notice.search(by_form) is not None
    included = client.get("/search", params={"q": "Berlin date:1950..1970", "undated": "1"})
    assert notice.search(included.text) is None
