"""People and places authority: every form of one name is one person or one place.

Pure functions and an in-memory index; the store persists what they decide.
"""

from fonds.names.match import match_score, name_keys, variants
from fonds.names.text import normalize

__all__ = ["match_score", "name_keys", "normalize", "variants"]
