"""The archive the open-API tests share: real corpus files, plus two records made by hand.

Ingested: both seed pages, the archive-API samples, FRUS 1961-63 vol. VI (120 documents) and
one NARA JFK scan. Made by hand (`HAND_MADE`): a record with every vocabulary the archive
API filters on (theme, subject, type, rights, two donors, a place under a parent place, a
Chinese translation and a Russian transcript), and a draft no reader may see.
"""

from __future__ import annotations

import atexit
import shutil
import socket
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from fonds.archive import Archive, open_archive
from fonds.model import (
    Collection,
    HistoricalDate,
    Language,
    Person,
    Place,
    Precision,
    Record,
    Rendition,
    Term,
)

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
FRUS_VOLUME = CORPUS / "frus" / "volumes" / "frus1961-63v06.xml"
JFK_PDF = CORPUS / "jfk-records" / "pdf" / "104-10004-10143_ocr.pdf"
with warnings.catch_warnings():
    # Starlette asks for its httpx fork; the TestClient works the same with httpx.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

__all__ = ["TestClient", "build_archive", "make_app", "serve"]

HAND_MADE = "900001"
DRAFT = "900002"


def hand_made_record() -> Record:
    return Record(
        id=HAND_MADE,
        title="Memorandum on Xinjiang border talks (test record)",
        description="A record made by the open-API tests to carry every vocabulary.",
        doc_date=HistoricalDate(
            text="1962-05-14",
            edtf="1962-05-14",
            precision=Precision.DAY,
            start=date(1962, 5, 14),
            end=date(1962, 5, 14),
        ),
        source="Test archive, fond 1, opis 2, delo 3",
        creators=[Person(name="Zhou Enlai")],
        contributors=[Person(name="S. V. Chervonenko")],
        original_coverages=[Place(name="Xinjiang", parent="China")],
        subjects=[Term(name="China--Foreign relations--Soviet Union")],
        themes=[Term(name="Cold War History")],
        collections=[Collection(id="491", name='“Local Nationalism" in Xinjiang, 1957-1958')],
        languages=[Language(id="rus", name="Russian")],
        repositories=[Term(name="AVPRF")],
        donors=[Term(name="Leon Levy Foundation"), Term(name="Blavatnik Family Foundation")],
        publishers=[Term(name="Wilson Center Digital Archive")],
        classifications=[Term(name="SECRET")],
        type=[Term(name="Memorandum")],
        rights=Term(name="Public domain", description="No known copyright restrictions."),
        translations=[
            Rendition(
                kind="translation",
                language=Language(id="chi", name="Chinese"),
                html="<p>关于新疆边界谈判的备忘录</p>",
            )
        ],
        transcripts=[
            Rendition(
                kind="transcript",
                language=Language(id="rus", name="Russian"),
                html="<p>Памятная записка о переговорах</p><script>alert(1)</script>",
            )
        ],
        links=["116976"],
    )


def draft_record() -> Record:
    return Record(id=DRAFT, title="Unpublished draft about Khrushchev", status="draft")


_TEMPLATE: list[Path] = []


def build_archive(home: Path) -> Archive:
    """A fresh copy of the shared archive in `home` (ingested once per test process)."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="fonds-open-apis-"))
        atexit.register(shutil.rmtree, folder, True)
        _ingest(folder / "archive").close()
        _TEMPLATE.append(folder / "archive")
    shutil.copytree(_TEMPLATE[0], home, dirs_exist_ok=True)
    return open_archive(home, ocr=False)


def _ingest(home: Path) -> Archive:
    # OCR is off: these tests read the scan's own text layer, and tesseract costs seconds.
    archive = open_archive(home, ocr=False)
    report = archive.ingest(CORPUS / "seeds", CORPUS / "wilson-api", FRUS_VOLUME, JFK_PDF)
    failures = [f for outcome in report.files for f in outcome.failures]
    assert not failures, failures
    archive.save(hand_made_record())
    archive.save(draft_record())
    return archive


def make_app(archive: Archive) -> FastAPI:
    from fonds.web import create_app

    return create_app(archive)


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run `app` under uvicorn on 127.0.0.1 in a thread; yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
