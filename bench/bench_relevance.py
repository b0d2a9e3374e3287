"""Search relevance: MRR and nDCG@10 of the archive's search on a judged set from the corpus.

Builds an archive from FRUS volumes (../shared/corpus/frus/volumes) and the two seed pages
through the real ingest (`open_archive(dir, ocr=False)`), then asks it every query of a
judged set three ways, in one run:

- fonds:        `archive.search(q)`, names expanded through the people authority;
- no expansion: `archive.search(q, expand_names=False)`;
- raw Tantivy:  Tantivy's own query parser on the same index, title and body fields
                (`index.parse_query(q, ["title", "body"])`), as a naive search would.

The judged set (bench/judged/frus-judged.json) is generated from the corpus by this script,
deterministically (seeded), and committed so that the figures can be reproduced:

- known-item:  3-6 of the rarest words of one record's title; relevant: that record;
- people:      a Chinese or Russian person in another romanisation or script ("Zhou Enlai",
               "周恩来" for FRUS's "Chou En-lai"; "Хрущёв"); relevant: every record whose
               persons list names them (grade 2) or whose text does (grade 1);
- field-date:  `person:Rusk date:1961`, `person:Rusk date:1961-03`, `title words date:1962-03`;
               relevant: records with that person (or those title words) in that period;
- misspelling: "Chevornenko", "Kruschev", ...; relevant as for people;
- phrase:      a quoted run of 3-5 words from a record's text; relevant: records containing it;
- word-or-name: a place or common word of the titles that is also, or one letter from, a
               surname in the persons lists ("Korea" / Koren, "White House" / Lincoln White,
               "Vice President" / Rice), as readers type it (capitalised, so it is tried as a
               name); relevant: records whose title uses it as a place or topic, not as a person.

With `--volumes N` only the first N volumes are ingested and each query's relevant records
are cut to those in the archive (queries left with none are dropped); that is sound
because whether a record is relevant depends on the record alone.

    python bench/bench_relevance.py                       # 18 volumes + seeds, a few minutes
    python bench/bench_relevance.py --volumes 3 --keep /tmp/fonds-rel   # reuse next time
    python bench/bench_relevance.py --regenerate          # rewrite the judged set
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import tantivy
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fonds.archive import Archive, open_archive  # noqa: E402
from fonds.ingest import tei, wilson_page  # noqa: E402
from fonds.model import Record  # noqa: E402
from fonds.search import TantivyIndex  # noqa: E402

CORPUS = (ROOT / ".." / "shared" / "corpus").resolve()
JUDGED = ROOT / "bench" / "judged" / "frus-judged.json"
SEED = 1961
DEPTH = 100  # results read per query: MRR counts the first relevant one within them
# China, the Soviet Union and Berlin first, so that `--volumes 3` still has names to find.
VOLUMES = [
    "frus1961-63v22.xml",
    "frus1961-63v06.xml",
    "frus1958-60v19.xml",
    "frus1961-63v05.xml",
    "frus1964-68v30.xml",
    "frus1964-68v14.xml",
    "frus1955-57v03.xml",
    "frus1958-60v10p2.xml",
    "frus1955-57v24.xml",
    "frus1958-60v08.xml",
    "frus1958-60v09.xml",
    "frus1958-60v18.xml",
    "frus1955-57v02.xml",
    "frus1961-63v15.xml",
    "frus1961-63v07-09mSupp.xml",
    "frus1961-63v10-12mSupp.xml",
    "frus1918Russiav03.xml",
    "frus1870.xml",
]
CATEGORIES = ("known-item", "people", "field-date", "misspelling", "phrase", "word-or-name")
STOP_WORDS = set(
    "a an and are as at be by for from in into is it of on or the to with was were this that "
    "his her their its not no but re concerning regarding about between during after before "
    "than then over under upon which who".split()
)
# Words that, before a surname, make it a person ("President Kennedy", "Ambassador Thompson").
RANKS = set(
    "President Secretary Ambassador Senator General Governor Mr Mrs Minister Chancellor Premier "
    "Admiral Colonel Col Lord Sir Dr Director Chairman Representative Judge Justice Mayor King "
    "Queen Prince Vice Deputy Assistant Under Chargé Consul Counselor".split()
)


@dataclass(frozen=True)
class Person:
    """Who a people or misspelling query is after, and how the corpus writes them."""

    listed: str  # a regular expression on names in the records' persons lists
    written: str  # a regular expression on the records' text


# Chinese and Russian people the corpus names, in FRUS's spelling (Wade-Giles for Chinese).
PEOPLE: dict[str, Person] = {
    "zhou": Person(r"^Chou En-lai", r"\b(Chou En-lai|Zhou Enlai)\b"),
    "mao": Person(r"^Mao (Tse-tung|Zedong)", r"\b(Mao Tse-tung|Mao Zedong)\b"),
    "jiang-jingguo": Person(r"^Chiang Ching-kuo", r"\bChiang Ching-kuo\b"),
    "chiang": Person(r"^Chiang Kai-shek", r"\bChiang Kai-shek\b"),
    "wang-bingnan": Person(r"^Wang Ping-nan", r"\b(Wang Ping-nan|Wang Bingnan)\b"),
    "lin-biao": Person(r"^Lin Piao", r"\b(Lin Piao|Lin Biao)\b"),
    "chen-yi": Person(r"^Ch'?en Yi\b", r"\bCh'?en Yi\b"),
    "liu-shaoqi": Person(r"^Liu Shao", r"\b(Liu Shao-ch'?i|Liu Shaoqi)\b"),
    "deng": Person(r"^(Deng Xiaoping|Teng Hsiao)", r"\b(Deng Xiaoping|Teng Hsiao-[Pp]'?ing)\b"),
    "khrushchev": Person(r"^Khrushchev", r"\bKhrushchev\b"),
    "gromyko": Person(r"^Gromyko", r"\bGromyko\b"),
    "dobrynin": Person(r"^Dobrynin", r"\bDobrynin\b"),
    "mikoyan": Person(r"^Mikoyan", r"\bMikoyan\b"),
    "kosygin": Person(r"^Kosygin", r"\bKosygin\b"),
    "brezhnev": Person(r"^Brezhnev", r"\bBrezhnev\b"),
    "menshikov": Person(r"^Menshikov", r"\bMenshikov\b"),
    "bulganin": Person(r"^Bulganin", r"\bBulganin\b"),
    "molotov": Person(r"^Molotov", r"\bMolotov\b"),
    "malinovsky": Person(r"^Malinovsk", r"\bMalinovsk[iy]\b"),
    "chervonenko": Person(r"Chervonenko", r"\bChervonenko\b"),
    "mcnamara": Person(r"^McNamara", r"\bMcNamara\b"),
    "harriman": Person(r"^Harriman", r"\bHarriman\b"),
}
# (person, query): the name in another romanisation or script than the corpus uses.
PEOPLE_QUERIES = [
    ("zhou", "Zhou Enlai"),
    ("zhou", "周恩来"),
    ("mao", "Mao Zedong"),
    ("mao", "毛泽东"),
    ("jiang-jingguo", "Jiang Jingguo"),
    ("jiang-jingguo", "蒋经国"),
    ("chiang", "Jiang Jieshi"),
    ("chiang", "蒋介石"),
    ("wang-bingnan", "Wang Bingnan"),
    ("wang-bingnan", "王炳南"),
    ("lin-biao", "Lin Biao"),
    ("lin-biao", "林彪"),
    ("chen-yi", "陈毅"),
    ("liu-shaoqi", "刘少奇"),
    ("deng", "Teng Hsiao-ping"),
    ("deng", "邓小平"),
    ("khrushchev", "Хрущёв"),
    ("khrushchev", "Хрущев"),
    ("gromyko", "Громыко"),
    ("dobrynin", "Добрынин"),
    ("mikoyan", "Микоян"),
    ("kosygin", "Косыгин"),
    ("brezhnev", "Брежнев"),
    ("menshikov", "Меньшиков"),
    ("bulganin", "Булганин"),
    ("molotov", "Молотов"),
    ("malinovsky", "Малиновский"),
    ("chervonenko", "Червоненко"),
]
MISSPELLINGS = [
    ("chervonenko", "Chevornenko"),
    ("khrushchev", "Kruschev"),
    ("khrushchev", "Khruschev"),
    ("gromyko", "Gromiko"),
    ("dobrynin", "Dobrinin"),
    ("mikoyan", "Mikojan"),
    ("kosygin", "Kosigin"),
    ("brezhnev", "Breznev"),
    ("bulganin", "Bulganine"),
    ("mcnamara", "McNamarra"),
    ("harriman", "Hariman"),
    ("zhou", "Chou Enlai"),
    ("mao", "Mao Tsetung"),
    ("chiang", "Chiang Kaishek"),
]


# --- the corpus -------------------------------------------------------------------------------


def volume_paths(count: int | None = None) -> list[Path]:
    """The first `count` FRUS volumes of VOLUMES (all when None) that the corpus holds."""
    folder = CORPUS / "frus" / "volumes"
    paths = [folder / name for name in VOLUMES if (folder / name).exists()]
    if not paths:
        raise SystemExit(f"no FRUS volumes in {folder}")
    return paths[:count] if count else paths


def seed_paths() -> list[Path]:
    return sorted(p for p in (CORPUS / "seeds").iterdir() if p.is_file())


def corpus_records() -> list[Record]:
    """Every record of the 18 volumes and the seeds, read by fonds' own parsers."""
    records: list[Record] = []
    for path in volume_paths():
        records.extend(r for r in tei.parse(path) if isinstance(r, Record))
    for path in seed_paths():
        records.extend(r for r in wilson_page.parse(path) if isinstance(r, Record))
    return records


def build_archive(home: Path, volumes: int | None = None) -> tuple[Archive, float]:
    """An archive in `home` holding the volumes and the seeds; reused when already built.

    Returns the archive and the seconds the ingest took (0 when reused).
    """
    wanted = [p.name for p in volume_paths(volumes)]
    stamp = home / "bench-relevance.json"
    if stamp.exists() and json.loads(stamp.read_text()).get("volumes") == wanted:
        return open_archive(home, ocr=False), 0.0
    home.mkdir(parents=True, exist_ok=True)
    archive = open_archive(home, ocr=False)
    start = time.perf_counter()
    archive.ingest(*volume_paths(volumes), *seed_paths())
    took = time.perf_counter() - start
    stamp.write_text(json.dumps({"volumes": wanted}))
    return archive, took


# --- the judged set ---------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents, for comparing words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", fold(text))


def judged_set(records: Sequence[Record], seed: int = SEED) -> dict[str, Any]:
    """Queries with graded relevant records ({id: 1 or 2}), made from `records`."""
    rng = random.Random(seed)
    queries: list[dict[str, Any]] = []
    queries += _known_items(records, rng, 120)
    queries += _people(records)
    queries += _field_dates(records, rng)
    queries += _misspellings(records)
    queries += _phrases(records, rng, 60)
    queries += _words_or_names(records)
    return {
        "about": (
            "Judged queries for bench/bench_relevance.py, generated from the FRUS volumes "
            "and seed pages of ../shared/corpus by that script (seeded); relevant maps "
            "record ids to grades (2: the record lists the person or is the known item; "
            "1: its text mentions the person, or it contains the words)."
        ),
        "seed": seed,
        "volumes": [p.name for p in volume_paths()],
        "seeds": [p.name for p in seed_paths()],
        "queries": queries,
    }


def _query(category: str, text: str, relevant: dict[str, int]) -> dict[str, Any]:
    return {"category": category, "query": text, "relevant": dict(sorted(relevant.items()))}


def _title_words(record: Record) -> list[str]:
    """The title's words as written, without the FRUS number."""
    return re.findall(r"[^\W_]+", re.sub(r"^\d+\.\s*", "", record.title))


def _known_items(records: Sequence[Record], rng: random.Random, count: int) -> list[dict[str, Any]]:
    titles = Counter(fold(r.title) for r in records)
    sets = {r.id: set(words(r.title)) for r in records}
    df = Counter(w for s in sets.values() for w in s)
    candidates = [
        r
        for r in records
        if titles[fold(r.title)] == 1
        and len(_title_words(r)) >= 6
        and not fold(r.title).startswith("editorial note")
    ]
    out = []
    for record in rng.sample(candidates, len(candidates)):
        surface = [
            w
            for w in dict.fromkeys(_title_words(record))
            if fold(w) not in STOP_WORDS and len(w) > 2 and not w.isdigit()
        ]
        ranked = sorted(surface, key=lambda w: (df[fold(w)], surface.index(w)))
        size = rng.randint(3, 6)
        if len(ranked) < size:
            continue
        chosen = ranked[:size]
        while True:
            unique = [rid for rid, s in sets.items() if all(fold(w) in s for w in chosen)]
            if unique == [record.id] or len(chosen) >= min(6, len(ranked)):
                break
            chosen = ranked[: len(chosen) + 1]
        if unique != [record.id]:
            continue
        text = " ".join(w for w in surface if w in chosen)  # in the title's order
        out.append(_query("known-item", text, {record.id: 2}))
        if len(out) == count:
            break
    return out


def _person_relevance(records: Sequence[Record], person: Person) -> dict[str, int]:
    listed, written = re.compile(person.listed), re.compile(person.written)
    relevant = {}
    for record in records:
        names = [f for p in record.people for f in (p.name, p.as_written) if f]
        if any(listed.search(name) for name in names):
            relevant[record.id] = 2
        elif written.search(f"{record.title}\n{record.description or ''}\n{record.body_text}"):
            relevant[record.id] = 1
    return relevant


def _people(records: Sequence[Record]) -> list[dict[str, Any]]:
    return [
        _query("people", text, _person_relevance(records, PEOPLE[key]))
        for key, text in PEOPLE_QUERIES
    ]


def _misspellings(records: Sequence[Record]) -> list[dict[str, Any]]:
    return [
        _query("misspelling", text, _person_relevance(records, PEOPLE[key]))
        for key, text in MISSPELLINGS
    ]


def _overlaps(record: Record, start: date, end: date) -> bool:
    dated = record.doc_date
    if dated is None or dated.start is None:
        return False
    return dated.start <= end and (dated.end or dated.start) >= start


def _period(year: int, month: int | None) -> tuple[str, date, date]:
    if month is None:
        return str(year), date(year, 1, 1), date(year, 12, 31)
    last = (date(year + month // 12, month % 12 + 1, 1) - date.resolution).day
    return f"{year}-{month:02d}", date(year, month, 1), date(year, month, last)


def _field_dates(records: Sequence[Record], rng: random.Random) -> list[dict[str, Any]]:
    """`person:Surname date:…` for people with a surname no one else has; title words + month."""
    given: dict[str, set[str]] = {}
    tagged: dict[str, list[Record]] = {}
    for record in records:
        for surname in {
            p.name.split(",")[0].strip()
            for p in record.people
            if "," in p.name and re.fullmatch(r"[A-Z][a-z]+", p.name.split(",")[0].strip())
        }:
            tagged.setdefault(surname, []).append(record)
        for p in record.people:
            if "," in p.name:
                surname, first = (s.strip() for s in p.name.split(",", 1))
                given.setdefault(surname, set()).add(fold(first).split(" ")[0][:1])
    people = sorted(
        s for s, recs in tagged.items() if len(given.get(s, ())) == 1 and len(recs) >= 8
    )
    out = []
    for surname in rng.sample(people, min(40, len(people))):
        dated = [r for r in tagged[surname] if r.doc_date and r.doc_date.start]
        if not dated:
            continue
        pick = rng.choice(dated).doc_date
        assert pick is not None and pick.start is not None
        month = pick.start.month if rng.random() < 0.4 else None
        label, start, end = _period(pick.start.year, month)
        relevant = {r.id: 1 for r in tagged[surname] if _overlaps(r, start, end)}
        out.append(_query("field-date", f"person:{surname} date:{label}", relevant))
    sets = {r.id: set(words(r.title)) for r in records}
    df = Counter(w for s in sets.values() for w in s)
    candidates = [
        r
        for r in records
        if r.doc_date
        and r.doc_date.start
        and r.doc_date.precision.value in ("day", "month")
        and not fold(r.title).startswith("editorial note")
    ]
    by_id = {r.id: r for r in records}
    made = 0
    for record in rng.sample(candidates, len(candidates)):
        assert record.doc_date is not None and record.doc_date.start is not None
        pool = [
            w
            for w in dict.fromkeys(_title_words(record))
            if fold(w) not in STOP_WORDS and len(w) > 3 and 3 <= df[fold(w)] <= 300
        ]
        if len(pool) < 2:
            continue
        chosen = sorted(rng.sample(pool, 2), key=pool.index)
        label, start, end = _period(record.doc_date.start.year, record.doc_date.start.month)
        relevant = {
            rid: 1
            for rid, s in sets.items()
            if all(fold(w) in s for w in chosen) and _overlaps(by_id[rid], start, end)
        }
        out.append(_query("field-date", f"{' '.join(chosen)} date:{label}", relevant))
        made += 1
        if made == 30:
            break
    return out


def _phrases(records: Sequence[Record], rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Quoted runs of 3-5 words from a record's text, found in at most five records."""
    texts = {
        r.id: " " + " ".join(words(f"{r.title} | {r.description or ''} | {r.body_text}")) + " "
        for r in records
    }
    candidates = [r for r in records if len(words(r.body_text)) >= 150]
    out = []
    for record in rng.sample(candidates, len(candidates)):
        # Within one sentence or clause, as a reader would quote it.
        clauses = [words(c) for c in re.split(r"[.;:!?()\[\]\n\"“”]", record.body_text)]
        size = rng.randint(3, 5)
        clauses = [c for c in clauses if len(c) >= size + 2]
        if not clauses:
            continue
        tokens = rng.choice(clauses)
        at = rng.randrange(0, len(tokens) - size)
        run = tokens[at : at + size]
        if run[0] in STOP_WORDS or run[-1] in STOP_WORDS or any(len(w) < 2 for w in run):
            continue
        if any(w.isdigit() for w in run):
            continue
        needle = " " + " ".join(run) + " "
        found = [rid for rid, text in texts.items() if needle in text]
        if not 1 <= len(found) <= 5:
            continue
        out.append(_query("phrase", f'"{" ".join(run)}"', dict.fromkeys(found, 1)))
        if len(out) == count:
            break
    return out


def _words_or_names(records: Sequence[Record]) -> list[dict[str, Any]]:
    """Places and common words of the titles that are, or nearly are, someone's surname.

    A title word W qualifies when it is a place (a dateline, a coverage, or "Embassy in W"
    in a title) or a common word (written in lower case at least 20 times in the texts),
    and a surname of the persons lists is W or one letter from it. W is asked as readers
    type it, with the capitalised word that always goes with it ("Hong Kong"); relevant
    are the records whose title holds the query in any case ("to certain diplomatic
    missions"), with W naming no person there.
    """
    surnames, given = set(), set()
    for record in records:
        for person in record.people:
            head, _, rest = (part.strip() for part in person.name.partition(","))
            if rest and re.fullmatch(r"[A-Z][a-z]+", head):
                surnames.add(head)
                given.update(rest.split()[:1])
    places: set[str] = set()
    for record in records:
        for text in (record.place_written or "", *(c.name for c in record.original_coverages)):
            places.update(re.findall(r"[A-Z][a-z]{3,}", text))
        for posted in _POSTED_IN.finditer(record.title):
            places.update(re.findall(r"[A-Z][a-z]{3,}", posted.group(1)))
    lower = Counter(w for r in records for w in re.findall(r"\b[a-z]{4,}\b", r.body_text))
    in_titles = Counter(w for r in records for w in set(re.findall(r"\b[A-Z][a-z]{3,}\b", r.title)))
    out: dict[str, dict[str, int]] = {}
    for word in sorted(in_titles):
        if in_titles[word] < 3 or fold(word) in STOP_WORDS:
            continue
        if word in given or (word not in places and lower[word.lower()] < 20):
            continue
        reach = 1 if len(word) < 7 else 2  # fonds expands long words to surnames further away
        if not any(Levenshtein.distance(word, surname) <= reach for surname in surnames):
            continue
        uses = [r for r in records if _topic_use(r, word, exact=word in surnames)]
        text = _with_neighbour(word, [r.title for r in uses if re.search(rf"\b{word}\b", r.title)])
        if word not in places and text == word:
            continue  # a common word alone ("Vice") is no query; "Prime Minister" is
        relevant = {
            r.id: 1 for r in uses if re.search(rf"\b{text}\b", _untitled(r.title), re.IGNORECASE)
        }
        if len(relevant) >= 3 and text not in out:
            out[text] = relevant
    return [_query("word-or-name", text, relevant) for text, relevant in out.items()]


# "Telegram From the Embassy in Korea", "Consul General at Hong Kong": places in titles.
_POSTED_IN = re.compile(
    r"\b(?:Embassy|Legation|Consulate(?: General)?|Consul General|Mission|Delegation)"
    r"\s+(?:in|at|to)\s+(?:the\s+)?((?:[A-Z][a-z]+\s?)+)"
)


def _untitled(title: str) -> str:
    return re.sub(r"^\d+\.\s*", "", title)


def _topic_use(record: Record, word: str, exact: bool) -> bool:
    """Whether the record's title uses `word`, and never as a person's name."""
    if any(p.name.split(",")[0].strip() == word for p in record.people):
        return False
    title = _untitled(record.title)
    for match in re.finditer(rf"\b{word}\b", title):
        before, after = title[: match.start()], title[match.end() :]
        if before.count("(") > before.count(")"):
            return False  # "(Ball)": FRUS names people in brackets
        if re.search(rf"(\b[A-Z]\.|\b(?:{'|'.join(RANKS)})\.?)\s+$", before):
            return False  # "President Kennedy", "Edwin M. Martin"
        if exact and (
            re.search(r"\b(?:from|to|and|between|among|by)\s+$", before)
            or re.match(r"\s*(?:,|and\b|to\b)", after)
        ):
            return False  # "Memorandum from Battle to Swank"
    return re.search(rf"\b{word}\b", title, re.IGNORECASE) is not None


def _with_neighbour(word: str, titles: Sequence[str]) -> str:
    """`word` with the capitalised word that follows or precedes it in most of `titles`."""
    neighbours = rf"(?!(?:{'|'.join(w.title() for w in STOP_WORDS)})\b)([A-Z][a-z]+)"
    for pattern, join in (
        (rf"\b{word}\s+{neighbours}\b", lambda n: f"{word} {n}"),
        (rf"\b{neighbours}\s+{word}\b", lambda n: f"{n} {word}"),
    ):
        found = Counter(m.group(1) for t in titles for m in re.finditer(pattern, _untitled(t)))
        if found:
            neighbour, count = found.most_common(1)[0]
            if count >= 0.8 * len(titles):
                return join(neighbour)
    return word


def load_judged(path: Path = JUDGED, regenerate: bool = False) -> dict[str, Any]:
    """The judged set from `path`, generated from the corpus (and written) when missing."""
    if path.exists() and not regenerate:
        data: dict[str, Any] = json.loads(path.read_text())
        return data
    data = judged_set(corpus_records())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return data


def restrict(queries: Iterable[dict[str, Any]], ids: set[str]) -> list[dict[str, Any]]:
    """The queries with their relevant records cut to `ids`; queries left with none dropped."""
    out = []
    for query in queries:
        relevant = {rid: g for rid, g in query["relevant"].items() if rid in ids}
        if relevant:
            out.append({**query, "relevant": relevant})
    return out


# --- scoring ----------------------------------------------------------------------------------


def reciprocal_rank(ranked: Sequence[str], relevant: dict[str, int]) -> float:
    for i, rid in enumerate(ranked, 1):
        if relevant.get(rid, 0) > 0:
            return 1.0 / i
    return 0.0


def ndcg(ranked: Sequence[str], relevant: dict[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain at k, with gains 2^grade - 1."""

    def dcg(grades: Iterable[int]) -> float:
        return sum((2.0**g - 1) / math.log2(i + 1) for i, g in enumerate(grades, 1))

    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    return dcg(relevant.get(rid, 0) for rid in ranked[:k]) / ideal if ideal else 0.0


Searcher = Callable[[str], list[str]]


def searchers(archive: Archive) -> dict[str, Searcher]:
    """The three ways of answering a query, each returning ranked record ids."""
    index = archive.index
    assert isinstance(index, TantivyIndex)
    raw_index: tantivy.Index = index._index  # the same files, searched without fonds

    def fonds(expand: bool) -> Searcher:
        def run(q: str) -> list[str]:
            result = archive.search(
                q,
                limit=DEPTH,
                snippets=False,
                facets=(),
                histogram=False,
                expand_names=expand,
            )
            return [hit.id for hit in result.hits]

        return run

    def raw(q: str) -> list[str]:
        try:
            query = raw_index.parse_query(q, ["title", "body"])
        except ValueError:
            query, _errors = raw_index.parse_query_lenient(q, ["title", "body"])
        searcher = raw_index.searcher()
        found = searcher.search(query, DEPTH)
        return [searcher.doc(address).get_first("id") or "" for _, address in found.hits]

    return {"fonds": fonds(True), "no expansion": fonds(False), "raw Tantivy": raw}


@dataclass
class Scores:
    """MRR and nDCG@10 per way and category, and each query's reciprocal rank per way."""

    table: dict[str, dict[str, tuple[int, float, float]]]
    per_query: list[dict[str, Any]]


def evaluate(archive: Archive, queries: Sequence[dict[str, Any]]) -> Scores:
    ways = searchers(archive)
    per_query = []
    for query in queries:
        row: dict[str, Any] = {"category": query["category"], "query": query["query"]}
        for name, run in ways.items():
            ranked = run(query["query"])
            row[name] = (
                reciprocal_rank(ranked, query["relevant"]),
                ndcg(ranked, query["relevant"]),
            )
        per_query.append(row)
    table: dict[str, dict[str, tuple[int, float, float]]] = {}
    for category in (*CATEGORIES, "overall"):
        rows = [r for r in per_query if category in ("overall", r["category"])]
        if not rows:
            continue
        table[category] = {
            name: (
                len(rows),
                sum(r[name][0] for r in rows) / len(rows),
                sum(r[name][1] for r in rows) / len(rows),
            )
            for name in ways
        }
    return Scores(table, per_query)


def print_table(scores: Scores) -> None:
    ways = list(next(iter(scores.table.values())))
    head = " | ".join(f"{w} MRR | {w} nDCG@10" for w in ways)
    print(f"| category | queries | {head} |")
    print("|---|---:|" + "---:|" * (2 * len(ways)))
    for category, by_way in scores.table.items():
        n = next(iter(by_way.values()))[0]
        cells = " | ".join(f"{mrr:.3f} | {gain:.3f}" for _, mrr, gain in by_way.values())
        name = f"**{category}**" if category == "overall" else category
        print(f"| {name} | {n} | {cells} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volumes", type=int, help="ingest only the first N FRUS volumes")
    parser.add_argument("--keep", type=Path, help="build the archive here, or reuse it")
    parser.add_argument("--judged", type=Path, default=JUDGED, help="the judged set (JSON)")
    parser.add_argument("--regenerate", action="store_true", help="rewrite the judged set")
    parser.add_argument("--misses", action="store_true", help="list queries fonds missed")
    args = parser.parse_args()

    judged = load_judged(args.judged, args.regenerate)
    with tempfile.TemporaryDirectory() as tmp:
        home = args.keep or Path(tmp) / "archive"
        archive, took = build_archive(home, args.volumes)
        with archive:
            ids = {r.id for r in archive.iter_records()}
            queries = restrict(judged["queries"], ids)
            start = time.perf_counter()
            scores = evaluate(archive, queries)
            asked = time.perf_counter() - start
    volumes = len(volume_paths(args.volumes))
    built = f"ingested in {took:.0f} s" if took else "reused"
    print(
        f"{len(ids):,} records ({volumes} FRUS volumes + seeds, {built}); "
        f"{len(queries)} judged queries from {args.judged.name}, answered 3 ways in {asked:.0f} s"
    )
    print(f"MRR: first relevant record within the top {DEPTH}; nDCG@10 with graded relevance")
    print()
    print_table(scores)
    if args.misses:
        print()
        for row in scores.per_query:
            if row["fonds"][0] == 0:
                print(f"missed ({row['category']}): {row['query']}")


if __name__ == "__main__":
    main()
