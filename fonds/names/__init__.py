"""People and places authority: every form of one name is one person or one place.

Pure functions over strings, and an in-memory index; the store persists what they decide.
`normalize` gives the folded form of a name, `name_keys` its match keys across scripts and
romanisations, `variants` display forms for search expansion, `match_score` the confidence
that two names are one; `Authority` and `PlaceAuthority` decide which entry a name belongs to.
"""

from fonds.names.authority import Authority, Match, PlaceAuthority
from fonds.names.match import explain, match_score, name_keys, variants
from fonds.names.text import normalize, split_name

__all__ = [
    "Authority",
    "Match",
    "PlaceAuthority",
    "explain",
    "match_score",
    "name_keys",
    "normalize",
    "split_name",
    "variants",
]
