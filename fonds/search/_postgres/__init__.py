"""PostgreSQL full-text search: the `SearchBackend` for archives whose database is PostgreSQL.

Every web worker on every machine then shares one engine, so search lives in the database, in
a table of its own (`search_records`) derived from the store like the Tantivy index is: the
store calls `add`/`delete`/`commit`, `fonds reindex` rebuilds it. The backend creates what it
needs on open (tables, indexes, the `pg_trgm` extension for name suggestions, and `rum` for
ranked top-k where the role may create it) and recreates its tables when another version of
this module wrote them. bench/bench_search_pg.py measures it, GIN beside RUM.

Text is folded in Python before PostgreSQL sees it (lower case, `ё` → `е`, Latin accents
dropped), so matching never depends on the database's locale. The `russian` text search
configuration stems English words (it maps ASCII words to the English Snowball stemmer) and
Russian words alike; runs of Chinese or Japanese characters are indexed as overlapping
character bigrams generated here, so a query of characters finds any substring. Per record:

- `tsv`: stemmed; weight A title, B description and people, C places and subjects, D body
  and the source/translator metadata. Words, phrases and names are matched here.
- `tsv_fields`: each field's stemmed words prefixed by the field name (`person:khrushchev`),
  for `person:`, `place:`, `subject:`, `collection:`, ... queries.

Beside them, `search_words` maps every word seen to its stem, as Tantivy's unstemmed term
dictionary does: `negotiat*` becomes the stems of the real words that start so (a second,
unstemmed vector would have doubled the cost of indexing, which PostgreSQL's parser
dominates).
`search_names` holds every distinct person name form once, trigram-indexed, for the "did
you mean" of a query that found nothing: a few thousand short rows instead of every record.

Queries arrive as fonds' own tree (`query.py`); words are analysed by PostgreSQL in one round
trip and the tree is compiled into tsquery text built from quoted lexemes, always passed as a
bound parameter: nothing a reader types becomes SQL.

The package: `folding` (text as PostgreSQL is given it), `rows` (a record as a row),
`schema` (tables and indexes), `compiler` (query tree → tsquery/SQL), `facets` (counts and
the timeline), `snippets` (headlines), `backend` (`PostgresIndex`).
"""

from fonds.search._postgres.backend import PostgresIndex, open_postgres
from fonds.search._postgres.compiler import split_prefix
from fonds.search._postgres.folding import cjk_tokens, fold, search_text
from fonds.search._postgres.rows import record_row

__all__ = [
    "PostgresIndex",
    "cjk_tokens",
    "fold",
    "open_postgres",
    "record_row",
    "search_text",
    "split_prefix",
]
