"""The schema: one SQLAlchemy Core table per thing the archive keeps.

`records.data` holds the whole record as fonds' own JSON (what `fonds export` writes), so a
record page is one row read. The link tables beside it (terms, persons, collections,
renditions) are what facets, browse pages and the archive API's filters query. Alembic
migrations under `migrations/` are generated from this module; the same schema runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

records = Table(
    "records",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("slug", String(200), nullable=False, default=""),
    Column("title", Text, nullable=False),
    Column("description", Text),
    Column("doc_date_edtf", String(40)),
    Column("date_start", Date, index=True),
    Column("date_end", Date),
    Column("status", String(20), nullable=False, default="published", index=True),
    Column("embargo_until", Date),
    Column("source_format", String(40)),
    Column("content_hash", String(64), nullable=False),
    Column("data", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, index=True),
    Column("first_published_at", DateTime(timezone=True)),
)

# Controlled vocabularies in one table: subject, theme, repository, donor, publisher,
# classification, type, right, language (name = ISO 639-2/B code), place (with parent).
terms = Table(
    "terms",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("name", Text, nullable=False),
    Column("value", Text),
    Column("description", Text),
    Column("parent_id", Integer, ForeignKey("terms.id", ondelete="SET NULL")),
    Column("variants", JSON),
    UniqueConstraint("kind", "name", name="uq_terms_kind_name"),
)

record_terms = Table(
    "record_terms",
    metadata,
    Column(
        "record_id", String(200), ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("term_id", Integer, ForeignKey("terms.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(40), primary_key=True),  # the record field: subjects, donors, ...
    Column("position", Integer, nullable=False, default=0),
    Index("ix_record_terms_term", "term_id", "role"),
)

persons = Table(
    "persons",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("description", Text),
    Column("birth_year", Integer),
    Column("death_year", Integer),
)

# Every form a person's name was seen in, with how it was matched, so that an automatic
# match can be reviewed and undone (`fonds people`, `fonds merge`, `fonds split`).
person_names = Table(
    "person_names",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "person_id",
        Integer,
        ForeignKey("persons.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("name", Text, nullable=False),
    Column("key", Text, nullable=False, index=True),
    Column("confidence", Float, nullable=False, default=1.0),
    Column("rule", String(40), nullable=False, default="exact"),
    Column("origin", Text),  # where the form was seen: a record id or a persons list
    UniqueConstraint("person_id", "name", name="uq_person_names_person_name"),
)

record_persons = Table(
    "record_persons",
    metadata,
    Column(
        "record_id", String(200), ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(40), primary_key=True),  # creators, contributors, persons_mentioned
    Column("as_written", Text),
    Column("position", Integer, nullable=False, default=0),
    Index("ix_record_persons_person", "person_id", "role"),
)

collections = Table(
    "collections",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("slug", String(200), nullable=False, default=""),
    Column("description", Text),
    Column("short_description", Text),
    Column("parent_id", String(200), ForeignKey("collections.id", ondelete="SET NULL")),
    Column("kind", String(40)),
    Column("editors", JSON),
    Column("published", String(40)),
    Column("is_inactive", Boolean, nullable=False, default=False),
    Column("main_src", Text),
    Column("thumb_src", Text),
    Column("source_created_at", DateTime(timezone=True)),
    Column("source_updated_at", DateTime(timezone=True)),
    Column("first_published_at", DateTime(timezone=True)),
)

record_collections = Table(
    "record_collections",
    metadata,
    Column(
        "record_id", String(200), ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "collection_id",
        String(200),
        ForeignKey("collections.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("position", Integer, nullable=False, default=0),
    Index("ix_record_collections_collection", "collection_id"),
)

renditions = Table(
    "renditions",
    metadata,
    Column("id", String(200), primary_key=True),  # kept from an import, else record-kind-n
    Column(
        "record_id",
        String(200),
        ForeignKey("records.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("kind", String(20), nullable=False),
    Column("position", Integer, nullable=False, default=0),
    Column("language", String(3)),
    Column("filename", Text),
    Column("content_type", String(100), nullable=False),
    Column("sha256", String(64), ForeignKey("files.sha256")),
)


# Originals, stored once by content under files/ab/cd/<sha256>.
files = Table(
    "files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("original_name", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The search index's outbox: written in the same transaction as the record, drained after
# the index commits, so an index that missed an update (a crash between the two) is
# repaired at the next start.
index_queue = Table(
    "index_queue",
    metadata,
    Column("record_id", String(200), primary_key=True),
    Column("op", String(10), nullable=False),
    Column("queued_at", DateTime(timezone=True), nullable=False),
)

# Input files fully ingested, by content, so an interrupted ingest resumes where it stopped.
ingested_files = Table(
    "ingested_files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("path", Text, nullable=False),
    Column("format", String(40), nullable=False),
    Column("records", Integer, nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(20), nullable=False, default="editor"),
    Column("token_hash", String(64), unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
