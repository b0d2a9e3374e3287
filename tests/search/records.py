"""The dozen records both search backends' tests index, and a scratch PostgreSQL schema.

A plain module, not a conftest: test_backends.py, test_tantivy.py and test_postgres.py import
what they need by name, so a reader sees where each record comes from. The records cover what
search must get right: three languages and scripts, nested collections, uncertain and missing
dates, name variants, a draft, and HTML that must stay escaped.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy import text as sql

from fonds.dates import parse_date
from fonds.model import (
    Collection,
    HistoricalDate,
    Language,
    Person,
    Place,
    Record,
    Rendition,
    Term,
)
from fonds.search._postgres import open_postgres

VOLUME = Collection(id="frus1961-63v22", name="FRUS 1961–1963, Volume XXII, Northeast Asia")
CHAPTER = Collection(id="frus1961-63v22ch1", name="China", parent="frus1961-63v22")
SINO = Collection(id="sino-soviet", name="Sino-Soviet Relations")
ENGLISH = Language(id="eng", name="English")
RUSSIAN = Language(id="rus", name="Russian")
CHINESE = Language(id="chi", name="Chinese")
MAO = Person(id="p-mao", name="Mao Zedong", variants=["Mao Tse-tung"])
KHRUSHCHEV = Person(id="p-khrushchev", name="Nikita Khrushchev", variants=["Хрущёв"])
RUSK = Person(id="p-rusk", name="Dean Rusk")


def memos(n: int, *, seed: int, start: int = 0, people: Sequence[Person] = ()) -> list[Record]:
    """`n` small records for counting at scale: English or Russian, one of three types, a
    year in 1950-1969 or (one in ten) no date, and `people` in four of five, by turns."""
    rng = random.Random(seed)
    types = ["Memorandum", "Telegram", "Letter"]
    out = []
    for i in range(start, start + n):
        year = rng.randint(1950, 1969)
        dated = HistoricalDate(text=str(year), start=date(year, 1, 1), end=date(year, 12, 31))
        out.append(
            Record(
                id=f"memo-{i}",
                title=f"Memorandum number {i} on the Berlin question",
                languages=[ENGLISH if i % 4 else RUSSIAN],
                type=[Term(name=types[i % 3])],
                persons_mentioned=[people[i % len(people)]] if people and i % 5 else [],
                doc_date=None if i % 10 == 0 else dated,
            )
        )
    return out


def html(text: str, language: Language = ENGLISH) -> Rendition:
    """A translation whose HTML is one paragraph of `text`."""
    return Rendition(kind="translation", language=language, html=f"<p>{text}</p>")


def record(
    record_id: str,
    title: str,
    text: str = "",
    *,
    date: str | None = None,
    **fields: object,
) -> Record:
    """A record with `text` as its body, in `body_language` (English unless given)."""
    renditions = [html(text, fields.pop("body_language", ENGLISH))] if text else []  # type: ignore[arg-type]
    return Record(
        id=record_id,
        title=title,
        doc_date=parse_date(date) if date else None,
        translations=renditions,
        **fields,  # type: ignore[arg-type]
    )


RECORDS = [
    record(
        "r1",
        "Record of Conversation with Mao Zedong",
        "Chervonenko reported a long conversation with Mao Zedong about the communes "
        "and the harvest. Mao spoke of negotiations with the Soviet comrades.",
        date="January 6, 1961",
        description="Mao on the Great Leap Forward.",
        creators=[Person(name="S. V. Chervonenko")],
        persons_mentioned=[MAO],
        original_coverages=[Place(name="China"), Place(name="Soviet Union")],
        subjects=[Term(name="Sino-Soviet relations")],
        collections=[SINO],
        languages=[RUSSIAN],
        repositories=[Term(name="AVPRF")],
        donors=[Term(name="Leon Levy Foundation")],
        classifications=[Term(name="TOP SECRET")],
        type=[Term(name="Memorandum of Conversation")],
    ),
    record(
        "r2",
        "Memorandum from Secretary of State Rusk to President Kennedy",
        "The Secretary discussed the situation in Laos and negotiating positions on Berlin.",
        date="1961-03-02",
        persons_mentioned=[RUSK],
        original_coverages=[Place(name="Laos")],
        subjects=[Term(name="Laos crisis")],
        collections=[VOLUME, CHAPTER],
        languages=[ENGLISH],
        repositories=[Term(name="Department of State")],
        classifications=[Term(name="SECRET")],
        type=[Term(name="Memorandum")],
    ),
    record(
        "r3",
        "Telegram from the Embassy in the Soviet Union",
        "Ambassador Thompson met Nikita Khrushchev and they talked about Berlin for two hours.",
        date="1961",
        persons_mentioned=[KHRUSHCHEV],
        original_coverages=[Place(name="Soviet Union")],
        subjects=[Term(name="Berlin crisis")],
        collections=[VOLUME, CHAPTER],
        languages=[ENGLISH],
        repositories=[Term(name="Department of State")],
        classifications=[Term(name="SECRET")],
        type=[Term(name="Telegram")],
    ),
    record(
        "r4",
        "Запись беседы с товарищем Хрущёвым",
        "Состоялся разговор о положении в Берлине. В ходе разговора товарищ Хрущёв "
        "подчеркнул важность переговоров.",
        date="spring 1962",
        body_language=RUSSIAN,
        persons_mentioned=[KHRUSHCHEV],
        original_coverages=[Place(name="Soviet Union")],
        subjects=[Term(name="Berlin crisis")],
        collections=[SINO],
        languages=[RUSSIAN],
        repositories=[Term(name="AVPRF")],
        classifications=[Term(name="TOP SECRET")],
        type=[Term(name="Memorandum of Conversation")],
    ),
    record(
        "r5",
        "毛泽东会见苏联大使谈话记录",
        "毛泽东主席会见苏联驻华大使契尔沃年科，双方就中苏关系交换了意见。",
        date="1962-03-28",
        body_language=CHINESE,
        persons_mentioned=[MAO],
        original_coverages=[Place(name="China")],
        subjects=[Term(name="Sino-Soviet relations")],
        collections=[SINO],
        languages=[CHINESE],
        repositories=[Term(name="PRC FMA")],
        classifications=[Term(name="TOP SECRET")],
        type=[Term(name="Memorandum of Conversation")],
    ),
    record(
        "r6",
        "Note on the Berlin Wall, undated",
        "An undated note about the wall in Berlin and the access routes.",
        original_coverages=[Place(name="Germany")],
        subjects=[Term(name="Berlin crisis")],
        collections=[VOLUME],
        languages=[ENGLISH],
        type=[Term(name="Note")],
    ),
    record(
        "r7",
        "Letter from Khrushchev to Kennedy",
        "Dear Mr. President, the Soviet government wishes to continue the negotiations.",
        date="1962-10-26",
        persons_mentioned=[KHRUSHCHEV],
        subjects=[Term(name="Cuban missile crisis")],
        collections=[VOLUME],
        languages=[ENGLISH],
        type=[Term(name="Letter")],
    ),
    record(
        "r8",
        "Conversation between Mao Tse-tung and Khrushchev",
        "Mao Tse-tung and Khrushchev disagreed about the Taiwan Strait.",
        date="1958-08-01",
        persons_mentioned=[MAO, KHRUSHCHEV],
        subjects=[Term(name="Sino-Soviet relations")],
        collections=[SINO],
        languages=[RUSSIAN],
        type=[Term(name="Memorandum of Conversation")],
    ),
    record(
        "r9",
        "Intelligence estimate on Chinese nuclear weapons",
        "The estimate judged that China could test a nuclear device soon.",
        date="1963-07-24",
        subjects=[Term(name="Nuclear weapons")],
        collections=[VOLUME, CHAPTER],
        languages=[ENGLISH],
        classifications=[Term(name="SECRET")],
        type=[Term(name="Estimate")],
    ),
    record(
        "r10",
        "Editorial note on the Laos settlement",
        "The Geneva conference on Laos reached a settlement in July.",
        date="1962",
        subjects=[Term(name="Laos crisis")],
        collections=[VOLUME],
        languages=[ENGLISH],
        type=[Term(name="Editorial Note")],
    ),
    record(
        "r11",
        "Minutes of the Advisory Committee meeting",
        "The committee reviewed declassification of the 1961 volumes &lt;and&gt; other matters.",
        date="1975-11-14",
        languages=[ENGLISH],
        type=[Term(name="Minutes")],
    ),
    record(
        "r12",
        "Memorandum on the Berlin access routes",
        "Berlin access routes and the autobahn were reviewed by the planners.",
        date="1961-08-20",
        subjects=[Term(name="Berlin crisis")],
        collections=[VOLUME, CHAPTER],
        languages=[ENGLISH],
        classifications=[Term(name="SECRET")],
        type=[Term(name="Memorandum")],
        status="draft",
    ),
]


def driver(url: str) -> str:
    """`url` with SQLAlchemy's psycopg driver, however FONDS_TEST_POSTGRES_URL spells it."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@contextmanager
def scratch_schema() -> Iterator[Engine]:
    """An engine whose tables land in a fresh schema of the test server's database.

    One index per module is built here (not in a database per test, as `pg_url` gives) for
    speed; the schema is dropped at the end, so the database is left as it was found.
    """
    url = os.environ.get("FONDS_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL not found: install postgresql or set FONDS_TEST_POSTGRES_URL")
    schema = f"search_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(driver(url))
    with admin.begin() as conn:
        conn.execute(sql(f"CREATE SCHEMA {schema}"))
    engine = create_engine(driver(url), connect_args={"options": f"-c search_path={schema},public"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sql(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@contextmanager
def schema_with_memos(n: int, seed: int) -> Iterator[Engine]:
    """`scratch_schema` with `memos(n, seed=seed)` indexed in its search tables."""
    with scratch_schema() as engine:
        index = open_postgres(engine, rum=False)
        index.add(memos(n, seed=seed))
        index.commit()
        index.close()
        yield engine
