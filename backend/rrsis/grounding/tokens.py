"""Words of an expression, after the rewrites that make the grammar's job small.

:func:`tokenize` lower-cases, splits numbers from units and keeps commas; before that, a
few phrasings are rewritten to the words the parser reads (:data:`REWRITES`, data in
order): "100-200 m2" is a range, "w/o" is without, "other than" is except, "at the
water's edge" is along it, "close together" is near each other.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional, Tuple, Union

from . import lexicon as lx

__all__ = ["tokenize", "REWRITES"]


def _either(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, the longest first (so "cut off by" wins over "cut")."""
    return "|".join(sorted(words, key=len, reverse=True))


_EDGES = _either(lx.EDGE_NAMES)
_SIDES = _either(lx.SIDE_WORDS)
_COMPASS = _either(lx.COMPASS_BEARINGS)
_AXIS_VERBS = _either(lx.AXIS_VERBS)
#: verbs of extent before a measure: "roofs covering more than 100 m2"
_EXTENT_VERBS = (r"(?:cover(?:s|ing)?|occup(?:y|ies|ying)|span(?:s|ning)?|measur(?:es|ing)|sized"
                 r"|of\s+size)")
#: two compass words naming an axis: "north-south", "from east to west", "NE-SW", "N/S"
_AXIS = (rf"(?:from\s+)?(?:({_COMPASS})\s*(?:-|–|\bto\b|/)\s*({_COMPASS})"
         r"|\b([nsew]{1,2})\s*[-–/]\s*([nsew]{1,2}))\b")
#: size words by area ("large", "tiny"; not "wide"): "with a large footprint" is "large"
_AREA_SIZES = _either(w for w, v in lx.SIZE_WORDS.items()
                      if lx.RELATIVE_SIZES.get(v, ("",))[0] == "area")
_INTENSIFIERS = _either(lx.INTENSIFIERS)
#: what an intensifier makes stricter: a relative size, "long"
_STRICTER = _either({w for w, v in lx.SIZE_WORDS.items() if "very " + v in lx.RELATIVE_SIZES}
                   | {"long", "elongated"})
#: the one-word names of the base categories: "tree rows" are rows of trees
_NAMES = _either({n for c in lx.CATEGORIES for n in c.names if " " not in n})
#: what may come before a field's name in a query: "select features where", "where"
_QUERY_LEAD = (r"(?:select\s+)?(?:(?:all\s+)?(?:features?|objects?|polygons?|rows?|\*)\s+)?"
               r"(?:(?:where|with)\s+)?")
#: names whose last word is a group's and that name another kind than their first words
#: ("road line" a road marking): one object, not a row of roads ("tree line" stays a row)
_GROUP_NAMED = _either({n + s for c in lx.CATEGORIES for n in c.names
                        if n.split()[-1] in lx.GROUP_NOUNS and lx.BASE_VOCABULARY.category_named(
                            " ".join(n.split()[:-1])) not in (None, c.name)
                        for s in ("", "s")}).replace(" ", r"\s+")
_ANY_NAMES = _either({n for c in lx.CATEGORIES for n in c.names}).replace(" ", r"\s+")
#: words a relation starts with: "not near the road" negates a relation, "not trees" names
#: what is left out
_RELATION_LEADS = ("near|next|close|along|beside|on|in|within|far|north|south|east|west|"
                   "above|below|inside|over|under|at|by|adjacent|around|across|between|"
                   "touching|with|without|more|less|further|farther|alongside|outside|away")
_ROAD_NAMES = _either(lx.TRAFFIC_WAYS)
_PATH_NAMES = "path|footpath|pathway|trail|track|lane|alley|bikeway"   # ways on foot too
_MOVING = _either(set(lx.MOTION_WORDS) - {"stationary"})
#: the way a vehicle points or moves: read as the axis it lies along ("cars facing north")
_VEHICLE_NAMES = _either({n for c in lx.CATEGORIES if c.group == "vehicle"
                          for n in c.names}).replace(" ", r"\s+")
_FACING = _either({*lx.FACING_WORDS, *lx.MOTION_WORDS} - {"stationary", "stopped", "waiting"})
#: a vehicle facing or moving one way: "cars facing north", "trucks driving east", "buses
#: that are heading south", "vans pointing east-west", "cars not facing north" (``facing``: the
#: word read as the axis the vehicle lies along; "oriented" in its place, read by the two
#: rewrites of axes)
_VEHICLE_FACING = (rf"\b(?=[^\W\d_]+\s+(?:[^\W\d_]+\s+){{0,3}}(?:{_FACING})\b)"   # cheap first
                   rf"((?:{_VEHICLE_NAMES})(?:e?s)?)\s+(?:(?:that|which)\s+(?:is|are)\s+)?"
                   rf"(not\s+)?(?:parked\s+)?(?P<facing>{_FACING})\s+(?=(?:{_COMPASS})(?:wards?)?\b"
                   r"(?![\s-]*(?:of\b|side|edge|bank|part|end|half|corner)))")
_SIZE_NOUNS = _either(lx.SIZE_NOUNS)
#: "the left building": (the part of the image, the rank) the side word names
_SIDE_OF = {"left": ("left", "westernmost"), "right": ("right", "easternmost"),
            "upper": ("top", "northernmost"), "lower": ("bottom", "southernmost")}
_EXAMPLES = (r"(?:such\s+as|like|including|incl\.?|e\.?g\.?|i\.?e\.?|namely|for\s+"
             r"(?:example|instance))")
_GENERIC_PLURALS = "objects|things|features|something|anything"
#: the words a measure follows in a comparison ("vehicles under 6 m long"): not one before a
#: name ("6 m long trucks")
_COMPARING = frozenset({"under", "over", "than", "least", "most", "about", "around", "below",
                        "above", "exceeding", "to", "and", "between", "within", "of", "roughly",
                        "approximately", "nearly", "almost", "up", "max", "min", "at", "<", ">"})


def _measure_after(m: "re.Match[str]") -> str:
    """"30 m wide roads" -> "roads of 30 m wide", unless the measure ends a comparison."""
    before = m.string[:m.start()].split()
    if before and before[-1].lower() in _COMPARING:
        return m.group(0)
    return f" {m.group(2)} of {m.group(1).replace('-', ' ')} "


#: the superlative of the measure a list is ordered by ("top 3 buildings by area")
_BY_MEASURE = {"area": "largest", "size": "largest", "footprint": "largest",
               "length": "longest", "width": "widest"}
#: the names of the kinds of vehicle ("trucks"; not "vehicle" itself)
_VEHICLE_KINDS = _either({n for c in lx.CATEGORIES if c.group == "vehicle" and c.name != "vehicle"
                          for n in c.names}).replace(" ", r"\s+")
#: a determiner before the objects asked for: "the", "all the", "a", "any", "every", ...
_DETERMINER = r"(?:the|all(?:\s+the)?|an?|any|some|every|each)"
#: "at least (at most) as large as": the comparative it means
_AS_AS = {"large": ("larger", "smaller"), "big": ("larger", "smaller"),
          "long": ("longer", "shorter"), "wide": ("wider", "narrower"),
          "small": ("smaller", "larger"), "short": ("shorter", "longer"),
          "narrow": ("narrower", "wider")}
#: the words of a relation before its object, said once for two ("near the road but not the
#: river")
_ELIDED_RELATION = (r"((?:near(?:\s+to)?|next\s+to|close\s+to|beside|along(?:side)?|adjacent\s+to|"
                    r"far\s+from|away\s+from|on|in|inside|touching|(?:north|south|east|west)\s+of|"
                    r"within\s+\d+(?:\.\d+)?\s*[^\W\d_]+\s+of|"
                    r"more\s+than\s+\d+(?:\.\d+)?\s*[^\W\d_]+\s+from))")
#: a word of a count of objects: "at least 3", "more than two", "many", "a few", "no"
_COUNT_WORDS = r"(?:\d+|" + _either({w for phrase in [*lx.COUNT_BEFORE, *lx.COUNT_AFTER,
                                                     *lx.VAGUE_COUNTS] for w in " ".join(
    phrase).split()} | {*lx.EXACT_COUNT_WORDS, *lx.NUMBER_WORDS, "no", "none", "any",
                        "some", "between", "and"}) + ")"
#: another of an object's own kind: "each other", "another building", "a neighbouring house"
_ANOTHER = (r"(?:each\s+other|one\s+another|(?:an)?other\s+(?:buildings?|houses?)|"
            r"(?:a|the)\s+(?:neighbou?ring\s+(?:building|house)|neighbou?r))\b")
_A_WALL = r"(?:sharing|share|shares)\s+(?:an?\s+)?(?:party\s+)?walls?"
#: names joined by and, or and commas: "cars, trucks and buses", "a house or a shed"
_NAME_LIST = re.compile(rf"(?:(?:the|an?)\s+)?(?:{_ANY_NAMES})(?:e?s)?(?:\s*(?:,|\band\b|\bor\b)"
                        rf"\s*(?:(?:the|an?)\s+)?(?:{_ANY_NAMES})(?:e?s)?\b)*", re.I)
#: up to a dozen words, with commas, where a list of names may begin
_SOME_WORDS = r"[^\W\d_]+(?:(?:\s*,\s*|\s+)[^\W\d_]+){0,11}"


def _listed(text: str) -> int:
    """How long the list of names at the start of ``text`` is ("cars and trucks near the
    road": "cars and trucks"), 0 where none begins it."""
    for end in reversed([m.end() for m in re.finditer(r"[^\W\d_]+", text)]):
        if _NAME_LIST.fullmatch(text[:end]):
            return end
    return 0


def _examples(m: "re.Match[str]") -> str:
    """Examples after a name are of it: the name, and what follows the examples; after
    "objects" they are the names asked for ("objects such as cars")."""
    generic, name, opening, words = m.groups()
    n = _listed(words)
    rest = words[n:]
    if "(" in opening and not re.match(r"\s*\)", rest + m.string[m.end():]):
        n = 0   # "(e.g. houses)": the bracket closes the list ("(houses only)" is more)
    if n == 0:
        return m.group(0)
    return f" {words[:n] if generic else name} {rest}"
#: the words of a unit of length or area ("m", "metres", "sq", "hectares", "acres", "ft²")
_MEASURE_UNITS = frozenset({*lx.UNITS_M, *(w for p in lx.AREA_UNITS_M2 for w in p)})
_UNITS = _either(_MEASURE_UNITS | {"percent"})
_LENGTH_UNITS = _either(lx.UNITS_M)
#: a measure asked of objects, whose answer is the objects ("the length of the road")
_MEASURES_ASKED = r"(?:length|width|size|extent|perimeter|surface\s+area|area)"
#: a bound said before a distance: "at least 10 m", "no more than 30 m"
_BOUND = (r"(?:at\s+least|at\s+most|(?:no|not)\s+(?:more|less|further|farther|closer)\s+than|"
          r"more\s+than|less\s+than|greater\s+than|further\s+than|farther\s+than|closer\s+than|"
          r"over|under|above|below|beyond|within|up\s+to)")
_BUILDING_NAMES = _either({n for c in lx.CATEGORIES if c.group == "building"
                           for n in c.names if " " not in n and n != "building"})
_USES = _either(lx.BUILDING_USES)
_BUILT = "building|house|block|roof"
_PARKING = r"parking\s+lots?|car\s+parks?"
_REGION = _either(lx.REGION_WORDS)
#: a building's ground beside it (a yard is a place: :data:`~.lexicon.PLACE_NOUNS`)
_OWNED_GROUND = r"gardens?|lawns?"
_VAGUE = _either(lx.VAGUE_COUNTS)
_CROWDED = _either(lx.CROWDED_WORDS)
_UNCOVERED = _either(lx.UNCOVERED_WORDS).replace(" ", r"[\s-]")
_COMPARED = _either(lx.COMPARATIVE_WORDS)
#: the objects an object is compared with near it: "than the (neighbouring) buildings ..."
_NEIGHBOURS = rf"((?:{_NAMES})(?:e?s)?)\b"
#: how a distance said in words compares: "less than", "under", ... (within) or "more than",
#: "greater than", ... (beyond); "at least" is read as said
_NEAR_SIDES = ("less than", "smaller than", "lower than", "under", "below", "at most", "up to",
               "within", "no more than")
_FAR_SIDES = ("more than", "greater than", "larger than", "higher than", "over", "above",
              "beyond", "at least")
_DISTANCE_SIDES = _either((*_NEAR_SIDES, *_FAR_SIDES)).replace(" ", r"\s+")
#: a comparison's sign as its words ("distance_to_road < 20 m")
_SIDE_SIGNS = {"<": "less than", "<=": "at most", "≤": "at most", ">": "more than",
               ">=": "at least", "≥": "at least"}
_COLOUR_NAMES = _either(lx.COLOURS)
_SIZES = _either({*lx.SIZE_WORDS, *lx.SHAPE_WORDS})


_CAPITALISED = r"(?-i:[A-Z][\w'-]*)"
#: the words that begin what follows a name, never a word of one (in a text with every word
#: capitalised, "Buildings Along Mill Creek" and "IN KAMPALA NEAR THE ROAD" are read so)
_AFTER_NAME = _either({p[0] for table in (lx.NEAR_WORDS, lx.OVERLAP_WORDS, lx.NEGATED_FORMS)
                       for p in table if len(p) == 1} - {"cross", "border", "borders"}
                      | {"the", "a", "an", "and", "or", "nor", "not", "of", "to", "from",
                         "across", "is", "are", "that", "which"})
_A_NAME_WORD = rf"(?!(?:{_AFTER_NAME})\b){_CAPITALISED}"
_A_NAME = rf"({_A_NAME_WORD}(?:\s+{_A_NAME_WORD}){{0,2}})"
#: a road by its name ("along Mombasa Road", "on Elm St.") or number ("the A40", "I-95",
#: "Highway 101"; not "500 M2")
#: the words of a road's and of a water's kind a name is typed before, in lower case too ("ngong
#: road", "the nairobi river"); capitalised, a few more ("Elm St", "Mill Lane", "Tampa Bay")
_WAY_KINDS = "road|rd|street|avenue|ave|boulevard|blvd|highway"
_WATER_KINDS = "river|lake|creek|canal|stream|brook|reservoir|lagoon"
_NAMED_WAY = rf"\b(?:the\s+)?{_A_NAME}\s+((?:{_WAY_KINDS}|st|lane|drive)\b\.?)"
_NUMBERED_WAY = (r"(?<![\d.])(?<!\d\s)\b(?:the\s+)?(?:(?:highway|route|interstate|motorway|hwy|"
                 r"rte)\s*-?\s*\d{1,4}[a-z]?|(?-i:(?:A|B|M|I|N|US|SR|RN)-?\d{1,4}))\b"
                 r"(?:\s+(?:road|motorway|highway|freeway))?")
#: a water by its name: "the Nairobi River", "Mill Creek", "Lake Victoria", "the River Thames"
_NAMED_WATER = (rf"\b(?:the\s+)?(?:{_A_NAME}\s+((?:{_WATER_KINDS}|bay|estuary)\b)|"
                rf"((?:river|lake|loch|lough)\b)\s+{_A_NAME})")
#: a place's name, which the image shows: "buildings in Kampala", "cars in downtown Atlanta",
#: "buildings within Kampala near the road" (every word of it unknown: "in Central Park" is
#: read); it ends the expression, or a comma, a word in lower case or a joining word follows it
PLACE_NAME = re.compile(rf"\b(?:in|of|at|around|within|inside|across|throughout)\s+"
                        rf"(?:(?:downtown|central|greater|rural|urban)\s+)?({_A_NAME_WORD}"
                        rf"(?:\s+{_A_NAME_WORD}){{0,3}})(?:\s*[.!?]*\s*$|(?=\s*[,;]|"
                        rf"\s+(?-i:[a-z])|\s+(?:{_AFTER_NAME})\b))", re.I)
#: a place's name before the objects, at the start: "Kampala buildings", "the Nairobi roads",
#: "all Atlanta houses" (capitalised, every word of it unknown, as :data:`PLACE_NAME`); not
#: before vehicles, where a name is a make ("Toyota cars", which one image does not show); a
#: word of it in lower case after its capital ("N-S roads" is an axis, "I" no place)
_PLACED_NAMES = _either({n for c in lx.CATEGORIES if c.group != "vehicle" for n in c.names}
                        ).replace(" ", r"\s+")
_A_PLACE_WORD = rf"(?!(?:{_AFTER_NAME})\b)(?-i:[A-Z][a-z][\w'-]*)"
PLACE_BEFORE = (rf"^\s*(?:(?:the|all)\s+)?({_A_PLACE_WORD}(?:\s+{_A_PLACE_WORD}){{0,2}})\s+"
                rf"(?=(?:{_PLACED_NAMES})(?:e?s)?\b)")


#: words that join a name to the rest, never part of one ("Near", "The", "Of")
_LINKING_WORDS = lx.FILLER_WORDS | {w for table in (lx.NEAR_WORDS, lx.OVERLAP_WORDS,
                                                    lx.NEGATED_FORMS) for p in table for w in p}


#: a road's or a water's name typed in lower case ("along ngong road", "the nairobi river",
#: "lake naivasha"): one or two words of it, no vocabulary's, before (after) the word of its
#: kind; a joining word is never one of them, so the search does not pass a name by
_JOINING = _either(_LINKING_WORDS | {"and", "or", "nor", "not"})
_NOT_A_NAME = rf"(?!(?:{_JOINING})\b)"
_LOWER_NAMED_WAY = (rf"\b(?=(?:[^\W\d_]+\s+){{1,3}}(?:{_WAY_KINDS})\b)(?:the\s+)?"   # cheap first
                    rf"(?:{_NOT_A_NAME}([^\W\d_]+)\s+)??{_NOT_A_NAME}([^\W\d_]+)\s+"
                    rf"((?:{_WAY_KINDS})\b\.?)")
_LOWER_NAMED_WATER = (rf"\b(?=(?:[^\W\d_]+\s+){{1,3}}(?:{_WATER_KINDS})\b)(?:the\s+)?"
                      rf"(?:{_NOT_A_NAME}([^\W\d_]+)\s+)??{_NOT_A_NAME}([^\W\d_]+)\s+"
                      rf"((?:{_WATER_KINDS})\b)|\b(?:the\s+)?(river|lake|loch|lough)\s+([^\W\d_]+)"
                      rf"(?=\s*(?:[,.;!?]|$)|\s+(?:{_JOINING})\b)")


def _unread(word: str) -> bool:
    """A word (lower case) nothing reads: no vocabulary's, no rewrite's ("flowing"), none said
    not to be measured ("gravel"); a name's word may be one."""
    return not (lx.known_word(word) or word in rewritten_words() or word in lx.UNMEASURED_WORDS)


def _unknown_name(m: "re.Match[str]", group: int = 1) -> bool:
    """No word of the name is read by anything ("THE RIVER FLOWING SOUTHWARD" names no river
    Flowing), nor a part of one hyphenated ("Red-Roofed Houses" name no place Red-Roofed)."""
    return all(_unread(w) for w in re.split(r"[\s-]+", m.group(group).lower()) if w)


def _proper_name(m: "re.Match[str]", name: int, kind: int) -> bool:
    """A road's or a water's name: its words unknown ("Mombasa Road"), or known words with
    capitals, the word of its kind too, in a text otherwise in lower case ("along Church
    Street"; not "Buildings Along Main Road", every word capitalised, nor "ALONG THE ROAD")."""
    if _unknown_name(m, name):
        return True
    words = [*m.group(name).split(), m.group(kind).rstrip(".")]
    return (all(w[0].isupper() and (len(w) == 1 or not w.isupper()) for w in words)
            and not any(w.lower() in _LINKING_WORDS for w in words)
            and _lower_case_words(m.string) > _lower_case_words(m.group(0)))


@lru_cache(maxsize=64)
def _lower_case_words(text: str) -> int:
    return len(re.findall(r"\b(?-i:[a-z]{2,})\b", text))


#: the endings of words that describe ("the winding road", "the muddy river", "the coastal
#: road", "the frozen lake"): no word of a name typed in lower case
_DESCRIBING = re.compile(r"(?:ed|en|ing|y|ous|ful|less|ic|al|ive|able|ible|ish|ly|est)$")


@lru_cache(maxsize=1024)
def _name_word(word: str) -> bool:
    """A word of a name typed in lower case, with a vowel ("xqzv" is none): one nothing reads
    (:func:`_unread`: "gravel", "buffer"), nor an untaught object's ("boats"), nor a slip of a
    known word ("rivr"), nor shaped like a word that describes."""
    word = word.lower()
    return (len(word) > 2 and re.search("[aeiouy]", word) is not None and _unread(word)
            and lx.singular(word) not in _UNTAUGHT_WORDS
            and not _DESCRIBING.search(word) and _no_slip(word))


#: the words of what the model was not taught ("the river boats" names no river)
_UNTAUGHT_WORDS = lx.UNTAUGHT_OBJECTS | {w for n in lx.UNTAUGHT_NAMES for w in n.split()}


def _lower_case_name(m: "re.Match[str]") -> Optional[Tuple[str, str]]:
    """The name in a match of :data:`_LOWER_NAMED_WAY` or :data:`_LOWER_NAMED_WATER` as typed
    with the word of its kind ("ngong road", "lake naivasha"), and the name's words alone; None
    where it holds none. The word before a one-word name ("along ngong road") is no part of
    it."""
    if m.re.groups > 3 and m.group(4) is not None:
        return (f"{m.group(4)} {m.group(5)}", m.group(5)) if _name_word(m.group(5)) else None
    before, name, kind = m.group(1), m.group(2), m.group(3)
    if not _name_word(name):
        return None
    if before and _name_word(before):
        name = f"{before} {name}"
    return f"{name} {kind.rstrip('.')}", name


def _lower_case_named(m: "re.Match[str]", kind: str) -> str:
    """The ``kind`` ("road", "water") for the name in ``m``; the words before a one-word name
    kept ("the big kenyatta avenue": the big road)."""
    named = _lower_case_name(m)
    if named is None:
        return m.group(0)
    if m.group(1) and not named[1].startswith(m.group(1)):
        return f" {m.group(0)[:m.start(2) - m.start(0)]} {kind} "
    return f" the {kind} "


def _way(m: "re.Match[str]") -> bool:
    return _proper_name(m, 1, 2)


def _water(m: "re.Match[str]") -> bool:
    return _proper_name(m, 1, 2) if m.group(1) is not None else _proper_name(m, 4, 3)


def _place(m: "re.Match[str]") -> bool:
    """A place's name: no word of it known, nor a slip of a known word ("in Parkng" is not);
    none in a text of more than :data:`_MOST_PLACES` (each slip is looked for at some cost)."""
    return _unknown_name(m) and _places_in(m.string) <= _MOST_PLACES \
        and _no_slip(m.group(1).lower())


_MOST_PLACES = 4


@lru_cache(maxsize=64)
def _places_in(text: str) -> int:
    return sum(1 for _ in PLACE_NAME.finditer(text))


@lru_cache(maxsize=1024)
def _no_slip(name: str) -> bool:
    return not any(lx.BASE_VOCABULARY.readings(w) for w in name.split())


def said_readings(text: str) -> List[str]:
    """The plan's notes on what the rewrites read for the analyst: the names of places
    ("'Mombasa Road' read as any road", "'Kampala' read as the place the image shows") and a
    walk ("'walking distance' read as within 400 m"): said, as a building's use is. Read in
    the text as those rewrites see it ("buildings in Kampala, please": the request gone)."""
    notes = []
    text = _prepared(text)
    for i, (compiled, (pattern, rewrite)) in enumerate(zip(_compiled(), REWRITES)):
        kind = _NAMED_KINDS.get(pattern)
        for m in compiled.finditer(text) if i in _SAID_AT else ():
            said = re.sub(r"^the\s+", "", m.group(0).strip(), flags=re.I)
            if pattern in (PLACE_NAME.pattern, PLACE_BEFORE) and _place(m):
                notes.append(f"{m.group(1)!r} read as the place the image shows")
            elif pattern in (_DECIMAL_COMMA, _THOUSANDS_DOT, _THOUSANDS_SPACE):
                notes.append(f"{said!r} read as {rewrite(m)}")
            elif pattern == _WALK:
                notes.append(f"{said!r} read as {rewrite(m).strip()}: a walk of "
                             f"{WALK_M_PER_MINUTE:g} m a minute, as the crow flies")
            elif kind is not None and rewrite(m) != m.group(0):
                named = _lower_case_name(m) if pattern in _LOWER_CASE_NAMES else None
                if named is not None:   # a word no one knows may be no name: said
                    said, name = named
                    kind = kind.replace(": ", f" ({name!r} taken for its name): ", 1)
                notes.append(f"{said!r} read as {kind} name is not seen from above")
        text = compiled.sub(rewrite, text)
        if i == _LAST_SAID:
            break
    return list(dict.fromkeys(notes))


def without_names(text: str) -> str:
    """The text with the names of places read as what they name ("on Church Street": on the
    road), so that a word of a name is not read on its own (a church)."""
    for pattern, rewrite in _NAME_REWRITES:
        text = re.sub(pattern, rewrite, text, flags=re.I)
    return text


#: named places: the road and the water by their names, the road by its number; a town's name
#: is the image
_NAME_REWRITES: Tuple[Tuple[str, Callable[["re.Match[str]"], str]], ...] = (
    (_NAMED_WAY, lambda m: " the road " if _way(m) else m.group(0)),
    (_NUMBERED_WAY, lambda m: " the road "),
    (_NAMED_WATER, lambda m: " the water " if _water(m) else m.group(0)),
    (_LOWER_NAMED_WAY, lambda m: _lower_case_named(m, "road")),
    (_LOWER_NAMED_WATER, lambda m: _lower_case_named(m, "water")),
    (PLACE_NAME.pattern, lambda m: " " if _place(m) else m.group(0)),
    (PLACE_BEFORE, lambda m: m.group(0)[:m.start(1) - m.start(0)] + " " if _place(m)
     else m.group(0)))
_LOWER_CASE_NAMES = (_LOWER_NAMED_WAY, _LOWER_NAMED_WATER)
_NAMED_KINDS = {_NAMED_WAY: "any road: a road's", _NUMBERED_WAY: "any road: a road's",
                _NAMED_WATER: "any water: a water's", _LOWER_NAMED_WAY: "any road: a road's",
                _LOWER_NAMED_WATER: "any water: a water's"}
#: a walk: "within walking distance of" (five minutes), "within a 10-minute walk of",
#: "10 minutes' walk from": within the distance walked, as the crow flies
WALK_M_PER_MINUTE = 80.0
_MINUTES = rf"(\d+(?:\.\d+)?|{_either(lx.NUMBER_WORDS)})\s*-?\s*min(?:ute)?s?'?"
_WALK = (rf"\b(?:with)?in\s+(?:(?:a|an|the)\s+)?(?:(?:short|easy)\s+)?(?:(?:walking|walkable)\s+"
         rf"distance|(?:{_MINUTES}\s+)?walk)\s+(?:of|from)\b"
         rf"|\b{_MINUTES}\s+walk\s+(?:of|from|away\s+from)\b"
         r"|\b(?:an?\s+)?(?:short|easy|quick)\s+walk\s+(?:away\s+)?(?:of|from)\b")


def _walked(m: "re.Match[str]") -> str:
    said = (m.group(1) or m.group(2) or "5").lower()
    minutes = float(lx.NUMBER_WORDS.get(said, said))
    return f" within {minutes * WALK_M_PER_MINUTE:g} m of "


_SQUARE_METRES = r"\s*(?:m2|m²|sq\b|sqm\b|square\s+met)"
_A_UNIT = rf"(?:{_SQUARE_METRES}|\s*(?:ha|hectares?|km|m|metres?|meters?)\b)"
_DECIMAL_COMMA = rf"(?<![\d.,])(\d+),(\d{{1,2}})(?={_A_UNIT})"
_THOUSANDS_DOT = rf"(?<![\d.,])([1-9]\d{{0,2}})\.(\d{{3}})(?![\d.,])(?={_SQUARE_METRES})"
_THOUSANDS_SPACE = rf"(?<![\d.,])(?<![\d.,]\s)([1-9]\d{{0,2}})\s(\d{{3}})(?![\d.,])(?={_A_UNIT})"
#: numbers as a continental European writes them: "20,5 m" is 20.5 m (a thousands comma has
#: three digits after it), "1.000 m2" 1000 m2 (no area is given to the square millimetre;
#: "1.500 km" stays 1.5 km), "1 000 m2" 1000 m2 (a space between thousands); said
_NUMBERS_AS_WRITTEN: Tuple[Tuple[str, Callable[["re.Match[str]"], str]], ...] = (
    (_DECIMAL_COMMA, lambda m: f"{m.group(1)}.{m.group(2)}"),
    (_THOUSANDS_DOT, lambda m: f"{m.group(1)}{m.group(2)}"),
    (_THOUSANDS_SPACE, lambda m: f"{m.group(1)}{m.group(2)}"))


#: the rewrites :func:`said_readings` says, the last of them last
_SAID = (*_NUMBERS_AS_WRITTEN, *_NAME_REWRITES, (_WALK, _walked))


#: a verb of place in the present, as typed after "that" ("trees that line the road") -> its
#: form after a name ("lining"), which the relations read
_VERB_FORMS: Dict[str, str] = {
    form: after for base, after in (
        ("line", "lining"), ("block", "blocking"), ("park", "parked"), ("grow", "growing"),
        ("front", "fronting"), ("back", "backing"), ("flank", "flanking"),
        ("skirt", "skirting"), ("hug", "hugging"), ("follow", "following"),
        ("surround", "surrounding"), ("overhang", "overhanging"), ("shade", "shading"),
        ("hide", "hiding"), ("cover", "covering"), ("adjoin", "adjoining"),
        ("neighbour", "neighbouring"), ("neighbor", "neighboring"), ("face", "facing"),
        ("encircle", "encircling"), ("overlook", "overlooking"), ("obscure", "obscuring"))
    for form in (base, base + "s")} | {"occupy": "occupying", "occupies": "occupying"}


#: a thing an outline is said to have the shape of -> the shape word ("in the shape of a ring")
_SHAPE_OF = {"ring": "ring-shaped", "donut": "ring-shaped", "doughnut": "ring-shaped",
             "circle": "round", "square": "square", "rectangle": "rectangular",
             "star": "irregularly shaped", "triangle": "non-rectangular"}
#: a building's outline named by a letter or a cross ("L-shaped", "U shaped", "shaped like a
#: T"): read as not rectangular, :func:`letter_shapes` says the shape is not told apart
_LETTER_SHAPE = (r"\b(?:(?-i:[LUTHEXYZ])|[luthe]|cross)[\s-]?shaped\b|\b(?:shaped\s+like|"
                 r"in\s+the\s+(?:shape|form)\s+of)\s+(?:an?\s+)?(?:(?-i:[LUTHEXYZ])|cross)\b")


#: a zone of a width around something: "a 50 m buffer of the road", "the 30 m setback"
_ZONES = "buffer|zone|strip|corridor|band|belt|setback"
#: what is inside a zone said as what breaks it: "violating the 30 m setback from the river"
_INSIDE_A_ZONE = (r"violating|breaching|in\s+breach\s+of|"
                  r"encroach(?:es|ing)?(?:\s+(?:on|upon|onto|into))?")


#: how many times another's measure: "twice", "three times", "2x", "double", "triple"
_TIMES = (rf"(twice|double|triple|thrice|(?:\d+(?:\.\d+)?|{_either(lx.NUMBER_WORDS)})\s*"
          r"(?:times|x))")
_BY_MEASURE_MORE = {"size": "larger", "area": "larger", "footprint": "larger",
                    "length": "longer", "width": "wider"}
#: a comparative -> its opposite ("smaller" -> "larger"), from :data:`_AS_AS`
_OPPOSITE_MEASURE = dict(_AS_AS.values())
#: "as long as", "the same width as": the measure said
_LIKE_MEASURE = {"long": "length", "wide": "width", "length": "length", "width": "width"}
#: a part of another's measure: "half as large as", "a third of the size of"
_PARTS = {"half": 0.5, "a third": 1 / 3, "one third": 1 / 3, "a quarter": 0.25,
          "one quarter": 0.25, "a fourth": 0.25, "one fourth": 0.25, "two thirds": 2 / 3,
          "three quarters": 0.75}
_PARTS_SAID = _either(_PARTS).replace(" ", r"\s+")


def _times(said: str) -> str:
    """"twice" -> "2", "three times" -> "3", "2.5x" -> "2.5"."""
    word = said.lower().split()[0]
    word = word.rstrip("x") if word[0].isdigit() else word   # "2.5x"
    named = {"twice": 2, "double": 2, "triple": 3, "thrice": 3}
    value = named.get(word) or lx.NUMBER_WORDS.get(word) or float(re.match(r"[\d.]+", word)[0])
    return f"{float(value):g}"


def _part_of(bound: Optional[str], part: str, adjective: Optional[str],
             noun: Optional[str]) -> str:
    """"half as large as" -> "smaller than 0.5 times", "at least a third of the length of" ->
    "longer than 0.333333 times": below that part of the other's measure, or above it after
    "at least", "more than", "over"."""
    measure = (adjective or noun or "").lower()
    more = bound is not None and " ".join(bound.lower().split()) in ("at least", "more than",
                                                                     "over")
    above = _BY_MEASURE_MORE.get(measure) or _AS_AS[measure][0]
    word = above if more else _OPPOSITE_MEASURE[above]
    return f" {word} than {_PARTS[' '.join(part.lower().split())]:g} times "


#: "the most big", "more big" as a learner may type them -> the word meant
_MOST = {"big": "biggest", "large": "largest", "small": "smallest", "near": "nearest",
         "close": "closest", "far": "farthest", "long": "longest", "wide": "widest",
         "narrow": "narrowest", "short": "shortest"}
_MORE = {"big": "bigger", "large": "larger", "small": "smaller", "near": "nearer",
         "close": "closer", "far": "farther", "long": "longer", "wide": "wider"}


#: words said of the objects that are read before their name only: how many vehicles a lot
#: or a road holds, how the others of its kind lie around an object
_BEFORE_THE_NAME = ("empty|unoccupied|full|busy|crowded|congested|isolated|solitary|clustered|"
                    "terraced|detached|semidetached")


#: a colour as typed after a name ("light grey", "red"): :data:`REWRITES` make it a postmodifier
_A_COLOUR = rf"((?:(?:light|dark|bright)\s+)?(?:{_COLOUR_NAMES}))"


def _one_compared(m: "re.Match[str]") -> str:
    """"the larger building", "the larger of the two buildings": the largest; "the larger
    buildings" stays (above the mean)."""
    most = f"the {m.group(1)[:-2]}est"
    if m.group(2) is not None:   # "of the two ...": one of them, of a name
        name = m.group(2).lower()
        named = lx.BASE_VOCABULARY.category_named(name)
        return f"{most} {lx.singular(name)}" if named else m.group(0)
    name = m.group(3).lower()
    return f"{most} {name}" if lx.singular(name) == name else m.group(0)


def _osm_tag(m: "re.Match[str]") -> str:
    """"building=yes" -> " buildings ", "natural=tree_row" -> " tree row "."""
    key, value = m.group(1).lower(), m.group(2).lower()
    said = lx.OSM_TAGS.get((key, value)) or lx.OSM_KEYS[key] or value.replace("_", " ")
    return f" {said} "


def _one_or_other(m: "re.Match[str]") -> str:
    """"with one or two" -> " with between 1 and 2 " (two counts in order); as typed
    otherwise."""
    low, high = (int(lx.NUMBER_WORDS.get(w.lower(), w)) for w in m.groups()[1:])
    return f" {m.group(1)} between {low} and {high} " if low < high else m.group(0)


def _first_name(m: "re.Match[str]") -> Optional[str]:
    """The first name typed before the match: the objects asked for, which "its" and "they"
    stand for ("the building closest to the river and its neighbours"); None if none."""
    return _first_name_in(m.string[:m.start()])


def _first_name_in(text: str) -> Optional[str]:
    """The first object's name in ``text``, as typed; None if it names none."""
    first = re.search(rf"\b((?:{_ANY_NAMES})(?:e?s)?)\b", text, re.I)
    return first.group(1) if first else None


def _first_group(m: "re.Match[str]") -> Optional[str]:
    """The lexicon group of the objects first named before the match (:func:`_first_name`);
    None if no name comes before."""
    first = _first_name(m)
    named = lx.BASE_VOCABULARY.category_named(first) if first else None
    return lx.group_of(named) if named else None


def _outside_a_building(m: "re.Match[str]") -> str:
    """"outside the house" after objects no building holds (cars, trees: the first named)
    -> " next to "; as typed after buildings, or where no name comes before."""
    return m.group(0) if _first_group(m) in (None, "building") else " next to "


def _neighbours(m: "re.Match[str]") -> str:
    """"... and its neighbours": " and the buildings next to it", the objects first named
    (the ones "its" stands for: "the building closest to the river and its neighbours" are
    buildings); the words as they were where no name comes before."""
    first = _first_name(m)
    if first is None:
        return m.group(0)
    return f" and the {first} next to {'it' if m.group(1).lower() == 'its' else 'them'} "


def _neighbours_had(m: "re.Match[str]") -> str:
    """"with 3 neighbours" -> " with 3 buildings" (the objects first named); the words as
    they were where no name comes before."""
    first = _first_name(m)
    return m.group(0) if first is None else f" {m.group(1)}{first} "


def _relation_again(m: "re.Match[str]") -> str:
    """"near the road but not the river" -> "near the road but not near the river" where the
    object after "not" is of another group than the objects first named; as typed else."""
    target, named = _first_group(m), lx.BASE_VOCABULARY.category_named(m.group(3))
    if target is None or named is None or target == lx.group_of(named):
        return m.group(0)
    joined = re.sub(r"\bnor$", "and not", m.group(1))
    return f" {joined} {m.group(2)} "


#: a way or water that parts ground: "the road that separates the two forests", "a river
#: dividing the town", "the stream separating the fields from the road"; the plain form only
#: after "that" or "which" ("two separate buildings" parts nothing)
_SEPARATES = (r"(?:(?:that|which)\s+(?:separates?|divides?|splits?|bisects?)|separating|"
              r"separates|dividing|divides|splitting|splits|bisecting|bisects)")


#: a name in the plural at the end of what is parted ("the fields", "the two villages")
_PLURAL_AT_END = re.compile(
    rf"\b(?:(?:{_ANY_NAMES})e?s|villages|towns|cities|settlements|neighbou?rhoods)$", re.I)


def _separating(m: "re.Match[str]") -> str:
    """"separating the two forests", "dividing the fields" -> " between the two forests";
    "dividing the town (in two)" -> " through the town", as a road through it."""
    parted = m.group("parted")
    plural = re.match(r"(?:the\s+|both\s+)?(?:two|2)\b", parted, re.I) or \
        _PLURAL_AT_END.search(parted)
    parted = re.sub(r"^both\b", "the two", parted, flags=re.I)
    return f" {'between' if plural else 'through'} {parted} "


def _a_setting(m: "re.Match[str]") -> str:
    """" " for a leading sentence or clause that names no object ("We are assessing flood
    damage.", "After the storm,"); the words as they were where it names one ("Buildings.
    Show the large ones")."""
    return m.group(0) if _first_name_in(m.group(1)) else " "


def _only_these(m: "re.Match[str]") -> str:
    """"roofs. Only the red ones" -> " red roofs " where the name is the first one typed (the
    objects asked for); the words as they were after an anchor's name ("buildings near the
    road. only the large ones": the buildings', not the road's)."""
    if _first_name(m) is not None:
        return m.group(0)
    return f" {m.group(2)} {m.group(1)} "


def _name_again(m: "re.Match[str]") -> str:
    """"buildings next to the largest one": the name before "the largest one" (one to five
    words before it, none a name, "and", "except", ...) in the place of "one", singular, or
    of "ones"; the words as they were where no such name is."""
    words_before = m.string[max(0, m.start() - 200):m.start()].split()[-9:]   # a name of up
    before = _NAME_BEFORE.search(" ".join(words_before) + " ")   # to 3 words and 5 others
    if before is None:
        return m.group(0)
    words = before.group(1).split()
    last = lx.singular(words[-1].lower()) if m.group(1).lower() == "one" else words[-1]
    said = m.group(0)
    return said[:m.start(1) - m.start()] + " ".join(words[:-1] + [last])


#: a name and the one to five words after it that end where "the ... one" starts ("buildings
#: that are not next to the largest one")
_NAME_BEFORE = re.compile(rf"\b((?:{_ANY_NAMES})(?:e?s)?)\s+(?:(?!(?:{_ANY_NAMES}|and|or|but|"
                          rf"except|excluding|than|other)\b)[^\W\d_]+\s+){{1,5}}$", re.I)


_UNIT_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_TEN_WORDS = {w: 10 * i for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_NUMBER_RUN = (r"\b(?:" + "|".join([*_UNIT_WORDS, *_TEN_WORDS, "hundred", "thousand"])
               + r")(?:[\s-]+(?:and[\s-]+)?(?:" + "|".join(
                   [*_UNIT_WORDS, *_TEN_WORDS, "hundred", "thousand"]) + r"))*\b")


#: a unit of length or area right after a number ("twenty metres", "fifty square metres")
_UNIT_AFTER = re.compile(rf"\s*(?:{_either(_MEASURE_UNITS)})\b", re.I)


def _spelled_number(m: "re.Match[str]") -> str:
    """"one hundred", "twenty-five", "two hundred and fifty", "fifteen": the number in
    digits; a word the parser reads as it is ("one", "two", "twenty") and a run that is no
    number ("one two") stay."""
    words = [w for w in re.split(r"[\s-]+", m.group(0).lower()) if w != "and"]
    if len(words) == 1 and words[0] in lx.NUMBER_WORDS and not _UNIT_AFTER.match(
            m.string, m.end()):   # "twenty m apart" is a distance as "20 m apart" is
        return m.group(0)
    value = _number_of(words)
    return m.group(0) if value is None else str(value)   # between word boundaries


def _number_of(words: List[str]) -> Optional[int]:
    """The number the words spell, up to the thousands, or None if they spell none."""
    total, i = 0, 0
    for scale in ("thousand", "hundred"):
        below, j = _below_hundred(words, i)
        if j < len(words) and words[j] == scale:
            total += (below if j > i else 1) * (1000 if scale == "thousand" else 100)
            i = j + 1
    below, j = _below_hundred(words, i)
    return total + below if j == len(words) and (j > 0) else None


def _below_hundred(words: List[str], i: int) -> Tuple[int, int]:
    """(the value of the words from ``i`` that spell a number below 100, the index after
    them); (0, i) where none do."""
    if i < len(words) and words[i] in _TEN_WORDS:
        value, i = _TEN_WORDS[words[i]], i + 1
        if i < len(words) and 0 < _UNIT_WORDS.get(words[i], 0) < 10:
            return value + _UNIT_WORDS[words[i]], i + 1
        return value, i
    if i < len(words) and words[i] in _UNIT_WORDS:
        return _UNIT_WORDS[words[i]], i + 1
    return 0, i


def _single_ones(m: "re.Match[str]") -> str:
    """"single trees" (a plural name): isolated ones; "the single largest": the largest;
    "a single tree" is a tree ("every single tree": every one)."""
    name = m.group(1).lower()
    if lx.SIZE_WORDS.get(name, name) in lx.SIZE_RANKS:   # "the single largest building"
        return m.group(1)
    named = lx.singular(name) != name and lx.BASE_VOCABULARY.category_named(name)
    if named:
        return f"isolated {m.group(1)}"
    return m.group(1) if lx.BASE_VOCABULARY.category_named(name) else m.group(0)

_AREAS = _either(lx.AREA_NOUNS)
#: ground in general, not a category's name ("land" is bare land's)
_GROUND = _either(lx.AREA_NOUNS - set(lx.CATEGORY_NAMES)
                  - {"space", "spaces", "spot", "spots"})   # parking ones
_ABBREVIATED = {"n": "north", "s": "south", "e": "east", "w": "west", "ne": "northeast",
                "nw": "northwest", "se": "southeast", "sw": "southwest"}


def _rectangle_area(match: "re.Match[str]") -> str:
    """"15x15 m" -> " 225 m2 ", "10 feet by 20 feet" -> " 200 sq ft "; two units that differ
    ("10 m x 20 ft") are left as typed."""
    first = _RECTANGLE_UNITS.get((match.group(2) or "").lower())
    unit = _RECTANGLE_UNITS[match.group(4).lower()]
    if first and first != unit:
        return match.group(0)
    area = float(match.group(1)) * float(match.group(3))
    return f" {area:g} {'m2' if unit == 'm' else 'sq ft'} "


_RECTANGLE_UNITS = {"m": "m", "metre": "m", "metres": "m", "meter": "m", "meters": "m",
                    "ft": "ft", "foot": "ft", "feet": "ft"}
_RECTANGLE_UNIT = r"(m|met(?:re|er)s?|ft|f(?:oo|ee)t)"


#: what a request is for ("for our survey we need ...", "... for our flood risk assessment")
_PURPOSES = (r"survey|project|study|report|analysis|assessment|planning|inventory|map|mapping|"
             r"work|purposes?|client|team|records?|database|presentation|paper|thesis")
#: a request before the expression, one after another too ("please show me, can you find the
#: cars"; "um", "ok so", "hey can u" as speech or chat starts one): "can you find buildings
#: close to water", "I want the red cars", "give me the trees", "map all trees", "trace the
#: roads", "pick out the cars", "show all unforested areas", "tell me which ...", "I need to
#: know which ...", "where can I find ..." ("in the
#: map" is the whole image, so "map" is no filler elsewhere)
_REQUESTS = (r"^\s*(?:(?:(?:please|pls|plz)\s+)?(?:(?:i|we)(?:\s+would|'d)?\s+(?:like|want|need)\s+"
             r"(?:you|u)\s+to|(?:i|we)(?:\s+would\s+like|'d\s+like|"
             r"\s+need|\s+want)\s+to\s+know|(?:can|could|would|will) (?:you|u)(?: (?:please|pls|"
             r"plz))?|um+|uh+m?|erm?|hmm+|ok(?:ay)?|so|well|hey|hi|hello|alright|basically|"
             r"yeah|like|thx|thanks|please|pls|plz|kindly|i(?: would|'d)? "
             r"(?:want|need|like)(?: to(?: see| find| get| map| have)?)?|give me|get me|"
             r"let me see|(?:i\s+am|i'm|we\s+are|we're)?\s*(?:looking|searching)\s+for|"
             r"(?:i'm|i\s+am)\s+interested\s+in|we\s+(?:want|need)(?: to(?: see| find| map))?|"
             r"what\s+(?:i|we)\s+(?:need|want|would\s+like)\s+(?:is|are)|"
             r"do\s+the\s+needful(?:\s+and)?|(?:i|we|you|one)\s+(?:can\s+)?see|"
             r"(?:the|this)\s+(?:image|picture|photo|scene)\s+(?:shows|contains|has)|"
             r"in\s+(?:the|this)\s+(?:image|picture|photo|scene)(?:\s+there\s+(?:is|are))?|"
             r"(?:(?:our|my|the)\s+(?:team|client|boss|manager|department|office|company))\s+"
             r"(?:(?:is|are)\s+interested\s+in|wants?(?:\s+to\s+see)?|needs?(?:\s+to\s+see)?)|"
             rf"for\s+(?:our|my|the|this)\s+(?:[^\W\d_]+\s+){{0,2}}?(?:{_PURPOSES})|"
             r"let's\s+(?:find|see|map)|(?:tell|let)\s+me(?:\s+know)?|"
             r"where\s+(?:can|could|do|would)\s+(?:i|we|you)\s+(?:find|see|spot)|map|trace|"
             r"where\s+(?:are|is)(?:\s+there)?|"
             r"spot|(?:search|look)\s+for|"
             r"(?:select|filter|extract)\s+by\s+(?:location|attributes?)|"   # QGIS's tools
             r"vectori[sz]e|polygoni[sz]e|label|annotate|display|draw|capture|"
             r"(?:segment|pick|pull|single)\s+out|filter|isolate|return|predict|classify|"
             r"show(?:\s+me)?|find|select|segment|highlight|mark|extract|detect|identify|locate|"
             r"delineate|digiti[sz]e|outline|(?:get|give)(?:\s+me)?|list|count)"
             r"(?=[\s,:])(?!\s+of\b)[\s,:]*){1,4}")
#: what may follow the objects and says nothing more, up to four stacked ("trees over there,
#: please", "roads as polygons in the image"): the place as the analyst points at it ("here",
#: "over there"), the whole image ("cars next to buildings and trees in the image" split the
#: anchors; "from the drone photo"), a form of the answer ("as polygons", "from above", "for
#: mapping") and courtesy
_END_PHRASES = (r"(?:(?:,\s*)?\b(?:(?:(?:right|over|around|in|out)\s+)?(?:here|there)|at\s+all|"
                r"(?:(?:(?:that|which)\s+(?:is|are)\s+)?(?:visible|seen|shown|depicted|pictured)"
                r"\s+)?"   # "the buildings visible in the image"
                r"(?:in|on|across|throughout|within|from)\s+(?:the|this)\s+(?:whole\s+|entire\s+)?"
                r"(?:image|imagery|picture|photo|photograph|scene|raster|orthophoto|mosaic|map)|"
                r"as\s+(?:an?\s+)?(?:polygons?|vectors?|shapes?|(?:vector\s+)?layers?|features?|"
                r"outlines?|masks?)|(?:as\s+)?seen\s+from\s+above|from\s+above|if\s+possible|"
                r"for\s+(?:mapping|analysis|the\s+report|my\s+project|the\s+survey|review|me)|"
                rf"for\s+(?:our|my|the|a|an|their)\s+(?:[^\W\d_]+\s+){{0,3}}?(?:{_PURPOSES})|"
                r"because\s+[^.!?]*|"
                r"please|pls|plz|thanks?(?:\s+you)?|thx|ty|cheers|lol|asap|ok(?:ay)?|"
                r"i\s+(?:guess|think)|and\s+stuff|or\s+something|basically)\b[\s.!?]*){1,4}$")
#: the words around the objects that say nothing of them: a label as a form or a script puts
#: it ("query: cars near the road", "1. buildings", "<cars>", "(all)"), a request, the image
#: as its source names it ("in the satellite image", "on screen"),
#: "if any", "in general", and what may follow the objects (:data:`_END_PHRASES`)
_AROUND: Tuple[Tuple[str, str], ...] = (
    (r"\bnear[\s-]+by\b", " nearby "),   # "buildings near by", as "nearby" is read below
    (r"^\s*(?:query|expression|prompt|text|input|search|q|task|request|instruction|target)"
     r"\s*[:=]", " "),
    # "help me find ...", "give me a layer of trees", "make polygons of the houses": the
    # objects (:data:`_REQUESTS` reads what follows)
    (r"^\s*(?:(?:please|kindly)\s+)?help\s+(?:me|us)\s+(?:to\s+)?", " "),
    (r"^\s*(?:(?:please|kindly)\s+)?whats\b", " what is "),
    # "the cars, you know, on the road": the words of speech between commas say nothing
    (r"\s*,\s*(?:you\s+know|i\s+mean|like|basically)\s*,\s*", " "),
    # "eachother", "side-by-side", "trees near one other": as meant
    (r"\beach[\s-]?other\b", " each other "), (r"\bside-by-side\b", " side by side "),
    (r"\bone\s+other\s*$", " one another "),
    # "buildings (that were) built near the river", "constructed on the floodplain", "the
    # houses which have been built along the road": where they stand
    (rf"\b(?:(?:that|which)\s+)?(?:(?:was|were|is|are|has|have|had)\s+)?(?:been\s+)?(?:built|"
     rf"constructed|sited)\s+(?=(?:{_RELATION_LEADS})\b)", " "),
    # ... along their banks: along them ("rivers with trees along their banks")
    (r"\b(along|on|lining)\s+(its|their)\s+(?:banks?|shores?|edges?|sides?)\b",
     lambda m: f" along {'it' if m.group(2).lower() == 'its' else 'them'} "),
    # "houses built close together", "trees planted far apart": how they stand
    (r"\b(?:built|placed|located|situated|positioned|arranged|planted|standing|sitting|lying)\s+"
     r"(?=(?:(?:very|quite|too)\s+)?(?:close(?:ly)?|tightly|far|widely|well)\s+"
     r"(?:together|apart)\b)", " "),
    # "less then 30 m", "larger then average": "then" typed for "than" after a comparison
    (rf"\b(more|less|fewer|greater|larger|bigger|smaller|wider|narrower|longer|shorter|further|"
     rf"farther|closer|nearer|higher|lower|{_COMPARED})\s+then\b", r"\1 than"),
    (r"^\s*(?:please\s+)?(?:create|make|generate|produce|build)\s+(?=(?:an?\s+|the\s+)?(?:new\s+)?"
     r"(?:vector\s+)?(?:layers?|polygons?|shapes?|features?|masks?|outlines?)\b)", " "),
    (r"\b(?:an?\s+|the\s+)?(?:new\s+)?(?:vector\s+)?layers?\s+(?:of|with|for|containing)\s+", " "),
    (r"^\s*\d{1,3}[.)]\s+(?=[^\W\d_])", " "),
    (_REQUESTS, " "),
    (r"\b(?:satellite|aerial|drone|uav|airborne)\s+(?=(?:image|imagery|photo|photograph|"
     r"picture|view|scene|orthophoto|mosaic)s?\b)", " "),
    (r"\bon\s+(?:the\s+)?screen\b", " in the image "),
    (r"(?:,\s*)?\bif\s+(?:any|there\s+are\s+(?:any|some)|present|there\s+is\s+one)\b|"
     r"\bin\s+general\b", " "),
    (_END_PHRASES, " "),
    (rf"^\s*((?:{_DETERMINER}\s+)?(?:{_ANY_NAMES})(?:e?s)?)\s+nearby\s*[.!?]*\s*$", r" \1 "),
    (r"^\s*<\s*([^<>]*?)\s*>\s*$", r" \1 "),
    (r"\(\s*(?:all|every\s+one|all\s+of\s+them)\s*\)", " "))


#: a part of the image an axis goes from or to: "the top", "bottom left", "the left side of
#: the image"
_IMAGE_PART = (r"(?:the\s+)?(top|bottom|upper|lower|left|right)(?:[\s-]+(left|right))?"
               r"(?:\s+(?:side|edge|corner|end))?(?:\s+of\s+(?:the|this)\s+(?:image|picture|"
               r"photo|scene|map))?")
_PART_COMPASS = {"top": "north", "upper": "north", "bottom": "south", "lower": "south",
                 "left": "west", "right": "east"}


def _compass_of(part: str, side: Optional[str]) -> str:
    """"top", "left" -> "northwest"; "bottom" -> "south"."""
    point = _PART_COMPASS[part.lower()]
    return point + _PART_COMPASS[side.lower()] if side else point


#: (pattern, replacement: a template or a function of the match), applied in order,
#: case-insensitive
REWRITES: Tuple[Tuple[str, Union[str, Callable[["re.Match[str]"], str]]], ...] = (
    # "5 m. from the road", "20 ft. long": a unit's abbreviation, no sentence's end
    (rf"((?:\d|\b(?:{_either(lx.NUMBER_WORDS)}))\s*(?:m|ft|km|yd|mi|mtrs?))\.(?=\s+(?:from|of|to|"
     r"away|long|wide|in|across)\b)", r"\1 "),
    *_NUMBERS_AS_WRITTEN,
    # OpenStreetMap tags: "building=yes" buildings, "highway=primary" roads, "natural=water"
    (rf"\b({_either(lx.OSM_KEYS)})\s*=\s*([^\W\d]+)", _osm_tag),
    # a GIS table's shorthand: "pkg lot", "bare grnd", "h2o"; a compass point in capitals
    # before "of" ("bldgs N of river", "cars SW of the lake": single letters are no words)
    (r"\bpkg\b", " parking "), (r"\bgrnd\b", " ground "), (r"\bh2o\b", " water "),
    (r"(?-i:\b(N|S|E|W|NE|NW|SE|SW)\b)(?=\s+of\b)",
     lambda m: " " + {"N": "north", "S": "south", "E": "east", "W": "west", "NE": "northeast",
                      "NW": "northwest", "SE": "southeast", "SW": "southwest"}[m.group(1)] + " "),
    # a field's name before the class typed in it: "class = building", "type: car",
    # "features of class building", "select features where class = 'building'", "class in
    # ('building', 'road')" (the values quoted as a query has them)
    (r"(?<![\w'])['\"]([^\W\d_][^\W\d_ ]*(?: [^\W\d_]+)?)['\"](?![\w'])", r" \1 "),
    (rf"^\s*{_QUERY_LEAD}(?:class|type|category|label|kind)\s+in\s*\(([^()]{{1,200}})\)",
     r" \1 "),
    (rf"^\s*{_QUERY_LEAD}(?:class|type|category|label|kind)\s*(?:==?|:|\s+is\s+)\s*(?=[^\W\d_])"
     r"|\b(?:features?|objects?|polygons?)\s+of\s+(?:class|type|category|kind)\s+(?=[^\W\d_])",
     " "),
    # "of all the trucks, the longest one", "among the buildings along the river, the
    # largest": the longest of the trucks, as it is read said the other way round
    (r"^\s*(?:(?:please|kindly)\s+)?(?:of\s+all|among(?:st)?(?:\s+all)?|out\s+of(?:\s+all)?|"
     r"from\s+all|of)\s+(?:the\s+)?(.{1,150}?)\s*,\s*(?:which\s+is\s+)?the\s+((?:\d+\s+)?"
     r"(?:[^\W\d_]+est|most\s+[^\W\d_]+))(?:\s+ones?)?(?:\s*,?\s*please)?\s*[.?!]*\s*$",
     r" the \2 of the \1 "),
    # "in each parking lot, the largest car", "along every road, the 2 largest buildings": the
    # largest car in each parking lot (:func:`.execute._held_per_anchor`)
    (r"^\s*(?:(?:please|kindly)\s+)?((?:in|on|at|along|alongside|near|inside|within|beside|next\s+"
     r"to|close\s+to|adjacent\s+to|around|outside|on\s+(?:each|either|both)\s+sides?\s+of)\s+"
     r"(?:each|every|either|both|the)\s+[^,]{1,80}?)"
     r"\s*,\s*(the\s+(?:\d+\s+)?(?:[^\W\d_]+est|most\s+[^\W\d_]+)\s+[^,]{1,80}?)\s*[.?!]*\s*$",
     r" \2 \1 "),
    # "one hundred metres", "twenty-five", "fifteen": the number ("one", "two" as they are);
    # "a thousand square metres" one thousand; "a dozen": 12; "a quarter mile": 0.25 of it
    (r"\ba\s+(?=thousand\b)", " one "),
    (_NUMBER_RUN, _spelled_number),
    (r"\ba\s+dozen\b", " 12 "),
    # "within a kilometre of", "over an acre": one of them
    (r"\b(within|than|over|under|about|around|beyond|exceeding)\s+an?\s+(?=(?:kilomet(?:re|er)|"
     r"km|mile|metre|meter|hectare|acre|foot|yard)\b)", r"\1 1 "),
    (r"\ba\s+quarter(?:\s+of\s+an?)?\s+(?=(?:miles?|km|kilomet(?:re|er)s?)\b)", " 0.25 "),
    *_AROUND,
    # "all kinds of buildings", "vehicles of any kind", "cars of any colour": the objects
    (r"\b(?:all|every|any)\s+(?:kinds?|types?|sorts?)\s+of\b", " "),
    (r"\bof\s+(?:any|all|every)\s+(?:kinds?|types?|sorts?|sizes?|colou?rs?|shapes?)\b", " "),
    (rf"^\s*(?:everything|anything|all)\s+that\s+(?:is|are)\s+(?:an?\s+)?(?=(?:{_ANY_NAMES}))",
     " "),
    (rf"^\s*whatever\s+(?=(?:{_ANY_NAMES}))", " "),
    # examples after a name: "vehicles such as cars and trucks", "buildings (e.g. houses)",
    # "vehicles (cars and trucks)": the name, the examples are of it; after "objects" they
    # are what is asked for ("objects such as cars")
    (rf"\b(?:({_GENERIC_PLURALS})|((?:{_ANY_NAMES})(?:e?s)?))\s*(\(\s*(?:{_EXAMPLES},?\s+)?|"
     rf",?\s*{_EXAMPLES},?\s+)({_SOME_WORDS})", _examples),
    # "centre lines", "center-line": one word (lexicon.CENTRE_LINE_NOUNS)
    (r"\bcent(?:er|re)[\s-]*line(s?)\b", r" centreline\1 "),
    # "the centre line of the road": the road centreline
    (rf"\b(centrelines?)\s+of\s+(?:the\s+|a\s+)?((?:{_ROAD_NAMES})s?)\b", r" \2 \1 "),
    # "the main highway", "the principal canal": the way, the water ("the main road", "the
    # main river" are names already); "the canal bank", "stream banks", "the river's edge":
    # the water's edge; "street markings": road markings
    (rf"\b(?:main|major|principal)\s+(?=(?:{_ROAD_NAMES}|channel|canal|stream|creek|pond|lake|"
     r"brook)s?\b)", " "),
    # "buildings -> near the road": an arrow says what they are; before a number "=>" and
    # "=<" are ">=" and "<=" typed the other way round ("area => 100")
    (r"=>(?=\s*\d)", " >= "), (r"=<(?=\s*\d)", " <= "),
    (r"\s*(?:->|=>|→|⇒)\s*", " "),
    # "the main building (house)" of a place is its largest; "the main buildings" large ones
    (rf"\bthe\s+(?:main|principal)\s+(?=(?:building|{_BUILDING_NAMES})\b(?!s))", " the largest "),
    (rf"\b(?:main|principal)\s+(?=(?:building|{_BUILDING_NAMES})e?s\b)", " large "),
    # "trees all along the road", "all around the lake": along, around it; "all over the
    # parking lot" on it, "all over the image" anywhere in it
    (r"\ball\s+(?=(?:along|around|round|across|through|throughout)\b)", " "),
    (r"\ball\s+over(?:\s+(?:the\s+|this\s+)?(?:image|picture|scene|map|place|area|photo)\b|"
     r"\s*$)", " "),
    (r"\ball\s+over\b", " on "),
    (r"\b(?:canal|stream|creek|pond|lake|reservoir|lagoon|channel|brook|ditch|drain)\s+"
     r"(?:bank|side|edge)s?\b"
     r"|\b(?:river|lake|sea|canal|stream|creek|pond)(?:'s|’s)?\s+edges?\b", "riverbank"),
    (r"\b(?:street|roadway|carriageway|highway|motorway|avenue|pavement)\s+(?=markings?\b)",
     " road "),
    # abbreviations of notes and tables: "adj. to", "approx. 20 m", "c. 20 m", "excl. those",
    # "sans trees", "cars, trucks etc." (the list is what it names)
    (r"\badj\.?(?=\s+to\b)", " adjacent "), (r"\bapprox\.?(?=\s)", " approximately "),
    (r"(?<![\w.])c(?:a|irc)?\.\s*(?=\d)", " about "), (r"\bexcl\.?(?=\s)", " excluding "),
    (r"\bnot\s+including\b", " excluding "),   # "buildings, not including the school"
    (r"\bsans\b", " without "),
    (r"(?:,\s*)?\b(?:etc|et\s+cetera|and\s+so\s+(?:on|forth))\b\.?", " "),
    # a question of a share or a yes and no: "how much of the area is covered by trees", "what
    # percentage of the image is water", "do any buildings touch the road": the objects asked
    # of (the layer's areas give the share)
    (r"^\s*(?:how\s+much|what\s+(?:percentage|percent|proportion|fraction|share|part))"
     r"(?:\s+of\s+(?:the\s+|this\s+)?(?:area|image|scene|region|land|ground|aoi))?"
     r"(?:\s+(?:is|are))?(?:\s+(?:covered|occupied|taken\s+up)\s+(?:by|with))?\b", " "),
    (r"^\s*(?:do|does)\s+(?=(?:any|the|some|all|these|those)?\s*[^\W\d_])", " "),
    # "the proportion (share, fraction, density) of buildings near the road": the buildings
    # (the layer's objects give the share); "high-density housing": dense buildings
    (r"^\s*(?:the\s+)?(?:proportion|percentage|share|fraction|ratio|amount|density)\s+of\b",
     " "),
    (r"\bper\s+(?:hectare|ha|acre|km2|km²|sq\.?\s*km|square\s+(?:kilomet|met)[a-z]+)\s*$",
     " "),   # "... per hectare": the objects
    (r"\b(?:areas?|zones?|parts?|places?)\s+(?:with|of)\s+(?:a\s+)?(high|low)\s+"
     r"(?:building|housing|house)\s+density\b",
     lambda m: f" {'densely' if m.group(1).lower() == 'high' else 'sparsely'} built-up areas "),
    (r"\b(high|low)[\s-]+density\s+(?=(?:housing|buildings?|houses?|homes?|development|"
     r"settlements?)\b)", lambda m: " dense " if m.group(1).lower() == "high" else " sparse "),
    # "dirt tracks", "a farm track": dirt roads ("track" alone is a railway's, untaught); a
    # road by its class or surface ("secondary roads", "gravel roads"): any road, said
    # (:func:`.parser._use_notes`)
    (r"\b(?:dirt|farm|forest|earth|jeep)\s+track(s?)\b", r" dirt road\1 "),
    # "roads (paved or unpaved)", "both paved and unpaved roads": every road, whatever its
    # surface (neither is told apart)
    (r"\(?\s*\b(?:both\s+)?(?:paved|sealed)\s+(?:or|and|and/or)\s+(?:unpaved|unsealed|dirt|"
     r"gravel)\b\s*\)?", " "),
    (rf"\b(?:{_either(lx.ROAD_CLASSES + lx.ROAD_SURFACES)})\s+(?=(?:road|street)s?\b)", " "),
    (r"\b(?:single|multi)[- ]?(?=family\b)", " "),   # "single-family houses": a use, said
    (rf"\b(?:non[\s-]?)?(?:{_either(lx.BUILDING_USE_WORDS)})\s+"
     rf"(?=(?:{_either(lx.USE_ADJECTIVE_NOUNS)})s?\b)", " "),
    # ("industrial buildings", "non-residential buildings": any building, said)
    *_NAME_REWRITES,
    (_WALK, _walked),
    # "a few metres from the road": next to it; "a short distance from the river": near it
    (r"\b(?:(?:with)?in\s+)?(?:a\s+few|a\s+couple(?:\s+of)?|several)\s+(?:metres|meters|m|yards|"
     r"feet|ft)\s+(?:away\s+)?(?:from|of)\b", " next to "),
    (r"\b(?:(?:with)?in\s+)?a\s+short\s+(?:distance|way)\s+(?:away\s+)?(?:from|of)\b",
     " near "),
    # the GIS predicates: "buildings partially inside the forest" overlap it, "contained in
    # (within) the parking lot" is inside it, "disjoint from the road" not touching it;
    # "(at least) partly within 30 m of the river": a part within it is what "within" asks
    (r"\b(?:at\s+least\s+)?(?:partly|partially)\s+(?=within\s+(?:about\s+)?\d)", " "),
    (r"\b(?:partly|partially)\s+(?:inside|within|in)\b(?!\s+(?:the\s+)?image\b)",
     " overlapping "),
    # the GIS operations said as such: "clip the forest to 100 m around the road" is the part
    # of it within 100 m; "clip the forest to the park" the part on it; "buffer the river by
    # 50 m and select the buildings inside" the buildings within 50 m of it
    (r"^\s*clip\s+(?:the\s+)?(.+?)\s+to\s+(?:within\s+)?(\d+(?:\.\d+)?\s*[^\W\d_]+)\s+"
     r"(?:around|of|from|along|on\s+either\s+side\s+of)\s+", r" the part of the \1 within \2 of "),
    (r"^\s*clip\s+(?:the\s+)?(.+?)\s+(?:to|by|with)\s+(?=(?:the|a|an)\s)",
     r" the part of the \1 on "),
    (r"^\s*buffer\s+(?:the\s+)?(.+?)\s+(?:by|with|at)\s+(\d+(?:\.\d+)?\s*[^\W\d_]+)\s*"
     r"(?:,\s*)?(?:(?:and|then)\s+)*(?:(?:select|find|get|show|extract|keep|count|take)\s+)?"
     r"(?:all\s+)?(?:the\s+)?(.+?)\s+(?:(?:that\s+(?:are|is|fall|falls|lie|lies)\s+)?(?:inside|"
     r"within|in)(?:\s+(?:it|the\s+buffer|that))?|(?:that\s+)?intersect(?:s|ing)?\s+(?:it|the\s+"
     r"buffer))\s*$", r" the \3 within \2 of the \1 "),
    (r"\b(?:(?:entirely|fully|completely|wholly)\s+)?contained\s+(?:in|within|inside)\b",
     " inside "),
    (r"\bdisjoint\s+(?:from|with)\b", " not touching "),
    # "vehicles along the side of the road", "trees along the sides of the road": along it (a
    # side named, "along the north side of", is read by the grammar); "by the side of": beside
    (r"\b(along|alongside|lining)\s+(?:the\s+|a\s+)?sides?\s+of\b", r" \1 "),
    (r"\bby\s+the\s+sides?\s+of\b", " beside "),
    # "buildings near cars parked on the road", "the tree next to the car parked on the road":
    # the cars parked there, a clause of the vehicles named (it was said of the buildings)
    (rf"(?<=\S)(\s+(?:{_RELATION_LEADS}|closest|nearest|farthest|furthest)\b[^,]*?\b"
     rf"(?:{_VEHICLE_NAMES})(?:e?s)?)\s+"
     r"(parked|standing|stopped|sitting|waiting)\s+(?=(?:on|in|at|along|alongside|beside|by|"
     r"inside|near|next\s+to|under)\s+\S)", r"\1 that are \2 "),
    # "roads of big width", "trucks of great length": wide roads, long trucks
    (r"\bof\s+(?:(big|large|great|high|considerable)|small|little|low|short)\s+(width|length)\b",
     lambda m: " " + {("width", True): "wide", ("width", False): "narrow", ("length", True): "long",
                      ("length", False): "short"}[m.group(2).lower(), bool(m.group(1))] + " "),
    # "cars on the left and on the right", "buildings in the north and the south (of the
    # image)", "in the top left and bottom right": in either part (one object is in one; the
    # second part had replaced the first; :meth:`.parser._Parser.region_alternative`)
    (rf"\b((?:in|on|at)\s+the\s+(?:(?:{_REGION})\s+){{1,2}}(?:(?:side|part|half|corner|edge)\s+)?)"
     rf"(?:and|or)\s+(?:(in|on|at)\s+)?(?:the\s+)?(?=(?:(?:{_REGION})\s*){{1,2}}(?:\s+(?:side|part|"
     r"half|corner|edge))?(?:\s+of\s+the\s+image)?\s*(?:$|[,.?!]|\b(?:and|or|but|please)\b))",
     lambda m: f" {m.group(1)} or {m.group(2) or m.group(1).split()[0]} the "),
    # "small buildings clustered near the water", "houses grouped along the road": in clusters
    # there (before the name, "clustered buildings", it is read so already)
    (rf"\b((?:{_NAMES})(?:e?s)?)\s+(?:that\s+are\s+|which\s+are\s+)?(?:clustered|grouped|clumped|"
     r"bunched)(?=\s*(?:$|[,.?!]|\b(?:near|next|close|along|around|beside|by|in|on|at|north|"
     r"south|east|west|within)\b))", r" \1 in clusters "),
    # what is hedged is said: "cars that appear to be parked", "that seem to be", "trees that
    # might be growing too close to the buildings": cars parked, trees growing close to them
    (r"\b(that|which|who)\s+(?:appears?|seems?|looks?)\s+to\s+(?:be|have)\b", r" \1 are "),
    (r"\b(that|which|who)\s+(?:might|may|could)\s+(?:possibly\s+)?be\b", r" \1 are "),
    (r"\btoo\s+(close|near|far)\b", r" \1 "),
    # "but skip (ignore, leave out) anything smaller than 20 m2", "except anything smaller":
    # except those smaller; "ignore everything else", "nothing else": said nothing more
    (r"[,;]?\s*(?:(?:and|but)\s+)?(?:(?:ignore|skip|exclude|not)\s+)?(?:everything|anything|"
     r"nothing)\s+else\b", " "),
    (r"\b(?:but\s+)?(?:skip|skipping|ignore|ignoring|omit|omitting|leave\s+out|leaving\s+out|"
     r"drop|dropping)\s+(?=(?:anything|everything|all|any|those|the)\b)", " except "),
    (r"\b(except|excluding|apart\s+from|other\s+than|but\s+not)\s+(?:anything|everything|all|"
     r"any(?:\s+ones?)?|the\s+ones)\s+(?=(?:smaller|larger|bigger|shorter|longer|wider|narrower|"
     r"under|over|less|more|below|above|darker|brighter|lighter)\b)", r" \1 those "),
    (r"\band\s+also\b", " and "),
    # "the remaining buildings after excluding the 5 largest": all but the 5 largest
    (rf"\bthe\s+(?:remaining|rest\s+of\s+the|other)\s+((?:{_NAMES})(?:e?s)?)\s+(?:after|once|"
     r"when)\s+(?:excluding|removing|taking\s+out|leaving\s+out|dropping)\b", r" all \1 except "),
    # "trees casting shade (a shadow) on the cars": shading them
    (r"\b(?:cast(?:s|ing)?|throw(?:s|ing)?)\s+(?:a\s+|their\s+|its\s+)?(?:shade|shadows?)\s+"
     r"(?:on|over|onto)\b", " shading "),
    # "roads blocked by fallen trees": touching them, as "trees blocking the road" do
    (r"\b(?:(?:that|which)\s+(?:is|are)\s+)?(?:blocked|obstructed)\s+by\b", " touching "),
    # "cars submerged in water", "roads flooded by the river": touching the water
    (r"\b(?:(?:that|which)\s+(?:is|are)\s+)?(?:submerged|inundated|flooded)\s+(?:in|by|under|"
     r"with)\s+(?:the\s+)?(?:water|floodwaters?|river|lake|flood)\b", " touching the water "),
    # "flooded buildings", "roads that are flooded", "submerged cars": touching the water,
    # as the objects asked for (the model marks the water where it covers them, so their own
    # outline stops at it; "flooded fields", "flooded areas" are the water itself; an anchor
    # takes no relation of its own: "near flooded roads" goes whole)
    (r"\b(?:(?:flooded|submerged|inundated)\s+(?:fields?|ground|zones?|parts?|plots?|areas?|"
     r"land)|flood\s+(?:extent|waters?|area)|the\s+flood(?=\s*$))\b", " floodwater "),
    # "buildings in the floodwater", "cars under water", "roads inside flooded areas": the
    # flooded objects again
    (r"\b(?:(?:that|which)\s+(?:is|are)\s+)?(?:(?:in|inside|within)\s+(?:the\s+)?floodwaters?"
     r"|under\s*water|under\s+(?:the\s+)?floodwaters?|affected\s+by\s+(?:the\s+)?"
     r"(?:flood(?:s|ing|water)?|floodwaters?))\b", " touching the water "),
    (rf"^(\s*(?:{_DETERMINER}\s+)?)flood[\s-]+affected\s+((?:{_NAMES})(?:e?s)?)\b",
     r"\1 \2 touching the water "),
    (rf"^(\s*(?:{_DETERMINER}\s+)?)(?:flooded|submerged|inundated)\s+(?!(?:land|areas?)\b)"
     rf"((?:{_NAMES})(?:e?s)?)\b", r"\1 \2 touching the water "),
    (rf"^(\s*(?:{_DETERMINER}\s+)?(?:{_NAMES})(?:e?s)?)\s+(?:that|which)\s+(?:is|are)\s+"
     r"(not\s+)?(?:flooded|submerged|inundated)\b", r"\1 \2touching the water "),
    (rf"^(\s*(?:{_DETERMINER}\s+)?)(?:non[\s-]?|un)(?:flooded|submerged|inundated)\s+"
     rf"((?:{_NAMES})(?:e?s)?)\b", r"\1 \2 not touching the water "),
    # "trees within 3 m either side of the road", "buildings 50 m on both sides of the road":
    # within that of it
    (rf"\b(?:within\s+)?((?:\d+(?:\.\d+)?|{_either(lx.NUMBER_WORDS)})\s*(?:{_either(lx.UNITS_M)}))"
     r"\s+(?:on\s+)?(?:either|each|both)\s+sides?\s+of\b", r" within \1 of "),
    # the extent a run reads as an analyst names it: "buildings in the study area", "in the
    # area (region) of interest", "within the selected area", "in the current view"
    (r"\b(?:study|selected|visible|chosen|current|map)\s+(?:area|region|extent|view)\b"
     r"|\b(?:area|region)\s+of\s+interest\b", " image "),
    # "in my area of interest", "in this region", "on this layer": the image a run reads
    (r"\b(?:my|our)\s+(?=(?:area|region|aoi|study|selected|image|map|raster|layer|scene)\b)",
     " the "),
    (r"\b(in|on|within|inside)\s+(?:this|the)\s+(?:region|layer|raster|orthophoto|ortho|"
     r"mosaic|orthomosaic)\s*(?=$|[,.?!]|\band\b|\bor\b)", r" \1 the image "),
    # "each building's nearest tree", "for every house, the 2 closest trees": the nearest to
    # each (a rank kept per anchor object, :func:`.execute._ranked_for_each`)
    (r"^\s*(?:for\s+)?(?:each|every)\s+([^\W\d_]+)(?:'s\b|\s*,)?\s+(?:the\s+)?((?:\d+\s+)?"
     r"(?:nearest|closest|farthest|furthest))\s+([^\W\d_]+(?:\s+lots?)?)",
     r" the \2 \3 to each \1 "),
    # "for each parking lot, the largest car", "every road's 2 longest cars", "the largest
    # car of (per) each parking lot": the rank kept in each (:func:`.execute._held_per_anchor`)
    (r"^\s*(?:for\s+)?(?:each|every)\s+([^\W\d_]+(?:\s+[^\W\d_]+)?)(?:'s\b|\s*,)\s+"
     r"(?:the\s+)?((?:\d+\s+)?[^\W\d_]+est)\s+([^\W\d_]+(?:\s+lots?)?)",
     r" the \2 \3 in each \1 "),
    (rf"\b((?:[^\W\d_]+est|most\s+[^\W\d_]+)\s+(?:[^\W\d_]+\s+){{0,2}}?(?:{_NAMES})(?:e?s)?)\s+"
     r"(?:of|for)\s+(?=(?:each|every)\b)", r"\1 in "),
    # "for every road, show the cars on it": the cars on each road (the roads are no objects
    # asked for; "for each building, the largest tree near it": the largest near each)
    (r"^\s*for\s+(?:each|every|all(?:\s+the)?)\s+([^\W\d_]+(?:\s+[^\W\d_]+)?)\s*,\s*"
     r"(?!(?:the\s+)?(?:\d+\s+)?[^\W\d_]+est\b)(.{1,120}?)\s+(?:it|them)\s*[.!?]*\s*$",
     r" \2 each \1 "),
    (r"\bper\s+(?!cent\b|centum\b)(?=[^\W\d_])", " in each "),
    # "the river's nearest building", "the largest house's 2 closest trees": the nearest to it
    (r"\bthe\s+((?:[^\W\d_]+\s+)?[^\W\d_]+)'s\s+((?:\d+\s+)?(?:nearest|closest|farthest|"
     r"furthest))\s+([^\W\d_]+(?:\s+lots?)?)", r" the \2 \3 to the \1 "),
    # "the most big building", "more bigger houses", "the more big building of the image":
    # the words meant, as a learner may type them (before "the bigger building" is read)
    (r"\bmost\s+(big|large|small|near|close|far|long|wide|narrow|short)\b",
     lambda m: " " + _MOST[m.group(1).lower()] + " "),
    (r"\bmore\s+(?=(?:bigger|larger|smaller|closer|nearer|further|farther|longer|wider|"
     r"narrower|shorter)\b)", " "),
    (r"\bmore\s+(big|large|small|near|close|far|long|wide)\b",
     lambda m: " " + _MORE[m.group(1).lower()] + " "),
    # "the more near building to the river" (a learner's "the nearer"): the nearest to it
    (r"\bthe\s+(?:nearer|closer)\s+(?=[^\W\d_]+(?:\s+[^\W\d_]+)?\s+(?:to|from)\b)",
     " the nearest "),
    # "what kind of vehicles are on the road", "which types of buildings": the objects
    (r"\b(?:what|which)\s+(?:kinds?|types?|sorts?)\s+of\b", " which "),
    # "is the road empty", "are the parking lots full": the empty road, the full lots
    (rf"^\s*(?:is|are)\s+(?:the\s+|any\s+)?((?:{_ROAD_NAMES})s?|{_PARKING})\s+"
     r"(empty|full|busy|crowded|congested|quiet|deserted)\s*[?.!]*\s*$", r" the \2 \1 "),
    # "the larger building", "the darker car": the one, a superlative (a plural: those
    # above their kind's mean, lexicon.COMPARATIVE_WORDS)
    (rf"\bthe\s+({_COMPARED})\s+(?:(?:one\s+)?of\s+the\s+(?:two|2|both)\s+([^\W\d_]+)"
     rf"|({_NAMES})\b)", _one_compared),
    # "at least as large as the school": larger than it (equal areas are not told apart);
    # "at most as wide as": narrower
    (r"\b(at\s+least|at\s+most)\s+as\s+(large|big|long|wide|small|short|narrow)"
     r"\s+as\b", lambda m: " " + _AS_AS[m.group(2).lower()][
         0 if m.group(1).lower() == "at least" else 1] + " than "),
    # "twice as large as the school", "(at least) three times as long as the car", "3 times
    # larger than", "more than double the size of the house": larger (longer) than that
    # many times it
    (rf"\b(?:at\s+least\s+)?{_TIMES}\s+as\s+(large|big|long|wide)\s+as\b",
     lambda m: f" {_AS_AS[m.group(2).lower()][0]} than {_times(m.group(1))} times "),
    # "twice the average size", "less than half the average length": than that many times
    # the category's mean
    (rf"\b(?:(?:more\s+than|over|at\s+least)\s+)?{_TIMES}\s+(?:the\s+)?(?:average|mean)\s+"
     r"(size|area|footprint|length|width)\b",
     lambda m: f" {_BY_MEASURE_MORE[m.group(2).lower()]} than {_times(m.group(1))} times "
               "average "),
    (rf"\b(?:(less\s+than|under|at\s+most|more\s+than|over|at\s+least)\s+)?({_PARTS_SAID})"
     r"\s+(?:of\s+)?(?:the\s+)?(?:average|mean)\s+(size|area|footprint|length|width)\b",
     lambda m: _part_of(m.group(1), m.group(2), None, m.group(3)) + " average "),
    (rf"\b(?:at\s+least\s+)?{_TIMES}\s+(larger|bigger|longer|wider)\s+than\b",
     lambda m: f" {m.group(2)} than {_times(m.group(1))} times "),
    (rf"\b(?:(?:more\s+than|over|at\s+least)\s+)?{_TIMES}\s+(?:the\s+|its\s+)?"
     rf"(size|area|footprint|length|width)\s+of\b",
     lambda m: f" {_BY_MEASURE_MORE[m.group(2).lower()]} than {_times(m.group(1))} times "),
    # "half as large as the school", "(less than) a third of the size of the house": smaller
    # (shorter) than that part of it, as "twice as large as" is larger than twice it
    # ("at least half the size of": larger than half of it)
    (rf"\b(?:(less\s+than|under|at\s+most|more\s+than|over|at\s+least)\s+)?({_PARTS_SAID})"
     r"\s+(?:as\s+(large|big|long|wide)\s+as|(?:of\s+)?(?:the\s+|its\s+)?(size|area|"
     r"footprint|length|width)\s+of)\b", lambda m: _part_of(*m.groups())),
    # ("half the size of the school or larger": at least half of it; it was two readings)
    (rf"\b(smaller|shorter|narrower)\s+than\s+(\d+(?:\.\d+)?\s+times\s+(?:the\s+|an?\s+)?"
     rf"(?:[^\W\d_]+\s+){{0,2}}?(?:{_NAMES})(?:e?s)?)\s+or\s+(?:larger|bigger|more|greater|longer|"
     r"wider|above)\b",
     lambda m: f" {_OPPOSITE_MEASURE[m.group(1).lower()]} than {m.group(2)} "),
    # "buildings the size of the school", "cars about the length of the bus": the same size
    (rf"\b((?:{_NAMES})(?:e?s)?)\s+(?:(?:that|which)\s+(?:is|are)\s+|of\s+)?((?:about|roughly|"
     rf"around|approximately|nearly|almost)\s+)?the\s+(size|length|width)\s+of\b",
     r" \1 \2 the same \3 as "),
    # "the same size as the school", "similar in size to it", "of a similar size to",
    # "comparable in size to", "as large as" (neither "at least" nor "at most" before it):
    # similar in size to it (within a share of its area, as "about 100 m2" is)
    (r"\b(?:(?:about|roughly|approximately|around|nearly|almost|exactly|just)\s+)?(?:the\s+|a\s+)?"
     r"(?:same|similar)\s+size\s+(?:as|to)\b|\b(?:similar|comparable)\s+in\s+size\s+to\b"
     r"|\bof\s+(?:a\s+)?(?:similar|comparable)\s+size\s+(?:to|as)\b"
     r"|\b(?<!least\s)(?<!most\s)(?<!twice\s)(?<!times\s)as\s+(?:large|big)\s+as\b",
     " similar in size to "),
    # "the same length as the van", "of similar width to", "as long (wide) as": similar in
    # length (width) to it
    (r"\b(?:(?:about|roughly|approximately|around|nearly|almost|exactly|just)\s+)?(?:the\s+|a\s+)?"
     r"(?:same|similar|comparable)\s+(length|width)\s+(?:as|to)\b|\b(?:similar|comparable)\s+in\s+"
     r"(length|width)\s+to\b|\bof\s+(?:a\s+)?(?:similar|comparable)\s+(length|width)\s+(?:to|as)\b"
     r"|\b(?<!least\s)(?<!most\s)(?<!twice\s)(?<!times\s)as\s+(long|wide)\s+as\b",
     lambda m: f" similar in {_LIKE_MEASURE[next(g for g in m.groups() if g).lower()]} to "),
    # "trees whose crown touches a roof", "buildings whose footprint overlaps the road": the
    # object's own outline, as "that touches"; "cars parked partly on the grass": touching it
    (r"\bwhose\s+(?:crowns?|canop(?:y|ies)|footprints?|outlines?|roofs?|branches|edges?)\s+"
     r"(?=(?:touch|overlap|cross|intersect|extend|reach|overhang|cover)[a-z]*\b)", " that "),
    (r"\b(?:partly|partially)\s+(?:on|over|in|inside|onto|into)\b(?!\s+(?:the\s+)?shade\b)",
     " touching "),
    # "cars the same colour as the bus", "similar in colour to", "of a similar colour to",
    # "the colour of the bus" after a name, "matching the colour of": alike in colour; "of a
    # different colour from (than)": not (the median colours: :func:`.execute._same_colour`)
    (r"\b(?:(?:about|roughly|exactly|just)\s+)?(?:(?:of|in|with|having)\s+)?(?:the\s+|a\s+)?"
     r"(?:same|similar|matching|identical)\s+colou?r\s+(?:as|to)\b|\b(?:similar|identical|"
     r"comparable)\s+in\s+"
     r"colou?r\s+to\b|\b(?:matching|that\s+match(?:es)?)\s+(?:the\s+colou?r\s+of|in\s+colou?r)\b"
     r"|\b(?:coloured|colored)\s+like\b", " same colour as "),
    (rf"\b((?:{_NAMES})(?:e?s)?)\s+(?:(?:that|which)\s+(?:is|are)\s+)?the\s+colou?r\s+of\b",
     r" \1 same colour as "),
    (r"\b(?:(?:of|in)\s+)?(?:a\s+)?different\s+colou?r\s+(?:from|than|to)\b",
     " not same colour as "),
    (r"\b(?:with|having|whose)\s+(?:an?\s+|its\s+|their\s+)?(?:roofs?|rooftops?)\s+(?:(?:that\s+)?"
     r"(?:is|are)\s+)?(?=(?:not\s+)?same\s+colour\s+as\b)", " "),   # "with roofs the same colour"
    # "houses with a pool in the garden", "with a garden at the back", "with a car outside",
    # "with a courtyard inside": what is had, which lies beside them anyway (the garden was
    # the houses' own: "on vegetation"; the others went whole)
    (rf"\b(with\s+(?:an?\s+|\d+\s+|their\s+|its\s+)?(?:[^\W\d_]+\s+)?(?:{_ANY_NAMES})(?:e?s)?)\s+"
     r"(?:in\s+(?:the|their|its)\s+(?:back\s+|front\s+)?gardens?|(?:at|in)\s+the\s+(?:back|front|"
     r"rear|side))\b", r"\1"),
    (rf"\b(with\s+(?:an?\s+|\d+\s+|some\s+)?(?:[^\W\d_]+\s+)?(?:{_ANY_NAMES})(?:e?s)?)\s+"
     r"(?:parked\s+)?outside\s*$", r"\1 next to them "),
    (r"\b(courtyards?)\s+(?:inside|within)\s*$", r"\1 "),
    # "10k sq ft", "5k m2": thousands; "100 sq. m.": square metres
    (r"\b(\d+(?:\.\d+)?)\s*k\b(?=\s*(?:sq\b|square|m2|m²|ft|feet|foot|m\b|metres|meters|km|acres?|"
     r"ha\b|hectares?))", lambda m: f" {float(m.group(1)) * 1000:g} "),
    (r"\bsq\.\s*(m|ft|km|yd|mi)\b\.?", r" sq \1 "),
    # "with a single car", "with one car only", "with at least a car": counts had
    (r"\b(with|having|has|have)\s+(?:a\s+|one\s+)?single\s+", r" \1 exactly 1 "),
    (rf"\b(with|having|has|have)\s+(\d+|{_either(lx.NUMBER_WORDS)})\s+((?:{_ANY_NAMES})(?:e?s)?)"
     r"\s+only\b", r" \1 exactly \2 \3 "),
    (r"\bat\s+least\s+(?:an?|one)\s+(?=[^\W\d_])", " at least 1 "),
    # "single trees", "single houses": each on its own (isolated), as "solitary trees"; "the
    # single largest": the largest
    (r"(?<!\bevery\s)\bsingle\s+([^\W\d_]+)", _single_ones),
    # "long rows of houses", "a long queue of cars": a row of them (not long ones)
    (r"\blong\s+(?=(?:rows?|lines?|queues?|strings?|chains?)\s+of\b)", " "),
    # "NE of the building", "the SW corner": the compass point, where one must be meant
    (r"(?<![\w'’.])(n|s|e|w|ne|nw|se|sw)\.?(?=\s+(?:of\s+(?:the|a|an|any|each|every)\b"
     r"|(?:corner|part|side|quarter|quadrant|half|edge)s?\b))",
     lambda m: _ABBREVIATED[m.group(1).lower()]),
    # "north-east of", "the south west corner", "north-western": one compass point (before
    # an axis, "north-east to south-west", and hyphens are read)
    (r"\b(north|south|east|west)erly\b", r"\1ern"),
    (r"\b(north|south)[\s-]?(east|west)(ern|ernmost)?\b", r" \1\2\3 "),
    # "the northeast building", "the north houses": the northeastern, the northern (after a
    # determiner: "buildings north cars" is no building called north)
    (rf"(^|\b(?:the|an?|all|any|some|these|those)\s+)\s*((?:north|south)(?:east|west)?|east|"
     rf"west)\s+(?=(?:{_NAMES})(?:e?s)?\b)", r"\1\2ern "),
    # "very large", "extremely long": stricter (the parser's "very"); an intensifier elsewhere
    # says nothing the grounding measures ("very close to the road" is close to it)
    (rf"\b(?:{_INTENSIFIERS})\s+(?=(?:{_STRICTER})\b)", " very "),
    (rf"\b(?:{_INTENSIFIERS})\b(?!\s+(?:{_STRICTER})\b)", " "),
    # "what is on the road", "what's near the river": everything there ("what buildings
    # ..." is a filler's); "what is the largest building", "which is the car nearest to the
    # road": the object asked for
    (r"^\s*(?:what|which|where)\s*(?:'s|is|are)\s+(?=(?:the|a|an|all)\s)", " "),
    (r"^\s*(?:what|whatever)\s*(?:'s|is|are|lies|lie|stands|sits)\b", " everything "),
    # "the road (that) the cars are on", "the lot which trucks are parked in": the road with
    # cars on it (the clause ends the expression, its preposition last)
    (r"\b(?:that|which|where)?\s*(?:the\s+)?([^\W\d_]+(?:\s+[^\W\d_]+)?)\s+(?:are|is)\s+"
     r"(?:(?:parked|located|standing|lying|found)\s+)?(on|in|at|near|beside|along|"
     r"next\s+to|close\s+to|around|under|inside)\s*[.?!]*\s*$", r" with \1 \2 it "),
    # "buildings where area > 200", "roads having a width over 6 m": with that measure, as
    # an attribute query says it
    (rf"\b(?:where|having)\s+(?:(?:an?|the|their|its)\s+)?(?=(?:{_SIZE_NOUNS})\s+"
     r"(?:of\s+\d|(?:(?:is|are|of)\s+)?(?:[<>≤≥]|(?:over|under|above|below|more|less|greater|"
     r"larger|smaller|bigger|between|at|exceeding|longer|shorter|wider|narrower)\b)))", " with "),
    # "trees with a crown diameter over 8 m", "the canopy width": seen from above the crown
    # is the tree, and its measure the tree's
    (r"\b(?:crown|canopy)\s+(?=(?:diameter|width|size|area)\b)", " "),
    # "buildings 100 m2+", "trucks 10+ m": at least that ("5+ cars" is a count, read so)
    (rf"\b(?=[^\W\d_]+\s+\d)((?:{_NAMES})(?:e?s)?)\s+(\d+(?:\.\d+)?)\s*(?:\+\s*((?:{_UNITS})"
     rf"\b|m2|m²)|((?:{_UNITS})\b|m2|m²)\s*\+)",
     lambda m: f" {m.group(1)} at least {m.group(2)} {m.group(3) or m.group(4)} "),
    # "buildings area > 100", "roads width > 6 m": with that measure (an attribute query)
    (rf"\b(?=[^\W\d_]+\s*[\[(]?\s*(?:{_SIZE_NOUNS})\s*[<>≤≥])((?:{_NAMES})(?:e?s)?)\s*[\[(]?\s*"
     rf"(?=(?:{_SIZE_NOUNS})\s*[<>≤≥])", r"\1 with "),
    # "bigger than 15x15 m", "15 m by 20 m", "10 x 10 ft": the area of that rectangle
    (rf"(?<![\w.])(\d+(?:\.\d+)?)\s*{_RECTANGLE_UNIT}?\s*(?:x|×|by)\s*(\d+(?:\.\d+)?)\s*"
     rf"{_RECTANGLE_UNIT}\b",
     _rectangle_area),
    # "max 20 m from the road", "min. 100 m2": at most, at least; "within a 20-meter distance
    # of": within 20 m of
    (r"(?<![\d.])\b(?:max(?:imum)?|maximally)\.?\s*(?=\d)", " at most "),
    (r"(?<![\d.])(?<!\d\s)\bmin(?:imum)?\.?\s*(?=\d)", " at least "),
    (r"\bwithin\s+an?\s+(\d+(?:\.\d+)?)\s*-?\s*([^\W\d_]+)\s+(?:distance|range|reach)\s+"
     r"(?:of|from)\b", r" within \1 \2 of "),
    # "within 10 to 20 m of the building": 10 to 20 m from it
    (r"\bwithin\s+(\d+(?:\.\d+)?\s*(?:-|–|to)\s*\d+(?:\.\d+)?\s*[^\W\d_]+)\s+(?:of|from)\b",
     r" \1 from "),
    # "20 m or less from the road": within it; "50 m or more from": more than it
    (r"\b(\d+(?:\.\d+)?\s*[^\W\d_]+)\s+or\s+(?:less|closer|nearer)\s+(?:away\s+)?(?:from|of|to)\b",
     r" within \1 of "),
    (r"\b(\d+(?:\.\d+)?\s*[^\W\d_]+)\s+or\s+(?:more|further|farther)\s+(?:away\s+)?from\b",
     r" more than \1 from "),
    # "buildings encroaching on the road", "encroaches upon": the word itself (a touch word)
    (r"\b(encroach(?:es|ing)?)\s+(?:on|upon|onto|into)\b", r" \1 "),
    # "that do not touch", "which don't have", "aren't", "isn't": not
    (r"\b(?:do|does|did)\s+not\b|\b(?:don't|doesn't|didn't|aren't|isn't|wasn't|weren't|"
     r"haven't|hasn't)\b", " not "),
    # "trees that line the road", "cars which block it", "houses that back onto the river":
    # the verb as its form after a name is read ("lining", "blocking", "backing onto")
    (rf"\b(?:that|which|who)\s+(not\s+)?({_either(_VERB_FORMS)})\b",
     lambda m: f" {m.group(1) or ''}{_VERB_FORMS[m.group(2).lower()]} "),
    # "houses that have no trees around them": with none; "lacking a garden", "roads free of
    # cars": without
    (r"\b(?:have|has|having)\s+no\b(?!\s+(?:more|fewer|less)\b)", " with no "),
    (r"\b(?:lacking|free\s+of|clear\s+of|devoid\s+of|(?:that|which)\s+lacks?)\b", " without "),
    # "roads where there are no cars", "lots on which there are cars": with (no) cars ("no
    # cars" alone was read as an exception)
    (r"\b(?:where|on\s+which|in\s+which|at\s+which)\s+there\s+(?:is|are|was|were)\s+(no\b)?",
     lambda m: " with no " if m.group(1) else " with "),
    # "outside a 50 m buffer of the road": more than 50 m from it
    (rf"\boutside\s+(?:(?:a|an|the)\s+)?(\d+(?:\.\d+)?\s*[^\W\d_]+)\s+(?:{_ZONES})\s+(?:around|"
     r"of|from|along|alongside|beside|next\s+to)\b",
     r" more than \1 from "),
    # "in the riparian zone (buffer, corridor)": along the river; "within the 30 m riparian
    # buffer": within 30 m of it
    (r"\b(?:in|within|inside)\s+(?:the|a)\s+(?:(\d+(?:\.\d+)?\s*-?\s*[^\W\d_]+)\s+)?riparian\s+"
     r"(?:zone|buffer|area|corridor|strip)s?\b",
     lambda m: f" within {m.group(1)} of the river " if m.group(1) else " along the river "),
    # "houses on the west bank of the river": on its west side; "trees along the south bank":
    # of the river
    (r"\b(on|along)\s+(?:the|an?|this|that)\s+(north|south|east|west)(?:ern)?\s+(?:bank|shore)"
     r"\s+(?=of\b)",
     r" \1 the \2 side "),
    (r"\b(on|along)\s+(?:the|an?|this|that)\s+(north|south|east|west)(?:ern)?\s+(?:bank|shore)\b",
     r" \1 the \2 side of the river "),
    # "buildings without road access": not connected to a road ("with road access": connected)
    (r"\b(?:without|with\s+no|lacking)\s+(?:road|street)\s+access\b", " not connected to a road "),
    (r"\bwith\s+(?:road|street)\s+access\b", " connected to a road "),
    # "with (direct) access to the road", "accessible from the street", "reachable by road":
    # the same ("without access to a road", "not reachable by road": not connected)
    (r"\b(?:without|with\s+no|lacking)\s+(?:direct\s+)?access\s+to\s+(?:the\s+|a\s+|any\s+)?"
     r"(?:roads?|streets?)\b", " not connected to a road "),
    (r"\b(?:with\s+(?:direct\s+)?access\s+to|(?:directly\s+)?(?:accessible|reachable)\s+"
     r"(?:from|by|via))\s+(?:the\s+|a\s+|any\s+)?(?:roads?|streets?)\b", " connected to a road "),
    # "cars near the nearest road", "the building closest to the nearest road": near (closest
    # to) any road, the nearest decides ("on", "touching", "within 20 m of" it too: a car on a
    # road has it nearest); "near one of the roads", "a nearby road": a road
    (rf"\b(near|next\s+to|close\s+to|closer\s+to|closest\s+to|nearest\s+to|beside|along|"
     rf"alongside|adjacent\s+to|far\s+from|away\s+from|farthest\s+from|furthest\s+from|on|in|"
     rf"touching|parallel\s+to|(?:within|more\s+than)\s+\d+(?:\.\d+)?\s*[^\W\d_]+\s+(?:of|from))\s+"
     rf"the\s+(?:nearest|closest)\s+(?=(?:{_ANY_NAMES})(?:e?s)?\b)", r" \1 the "),
    (rf"\b((?:{_RELATION_LEADS}|to|from|of)\s+)one\s+of\s+the\s+(?=(?:{_ANY_NAMES})(?:e?s)?\b)",
     r"\1the "),
    (rf"(?:^\s*|\b(an?|the|any|some|this|that|these|those|all(?:\s+the)?|(?:{_RELATION_LEADS}|"
     rf"to|from))\s+)(?:nearby|existing)\s+(?=(?:{_ANY_NAMES})(?:e?s)?\b)", r" \1 "),
    # "trees along the neighbouring road", "cars next to the adjacent building": the one next
    # to them is the nearest of its kind, which the relation finds ("adjacent buildings"
    # asked for, "joined to a neighbouring house", are those joined to another)
    (rf"\b((?:{_RELATION_LEADS}|to|from|of)\s+the\s+)(?:neighbou?ring|adjacent|"
     rf"adjoining)\s+(?=(?:{_ANY_NAMES})(?:e?s)?\b)", r"\1"),
    # "more than 500 m from the nearest road": from any road (the nearest decides)
    (rf"(\d\s*(?:{_UNITS})\s+(?:away\s+)?(?:from|of|to))\s+the\s+(?:nearest|closest)\b",
     r"\1 the "),
    # "road buffer 20m", "the river buffer of 50 m": the 20 m road buffer
    (rf"\b(?:the\s+|a\s+)?((?:{_ANY_NAMES})(?:e?s)?)\s+(buffer|setback)(?:\s+zone)?\s+(?:of\s+)?"
     r"\(?(\d+(?:\.\d+)?\s*-?\s*(?:m|metres?|meters?|km|ft|feet))\)?",
     r" the \3 \1 \2 "),
    # "roads union rivers", "the union of roads and rivers", "roads ∪ rivers": both
    (r"^\s*(?:the\s+)?union\s+of\b", " "), (r"\s+(?:union|∪)\s+", " and "),
    # "trees ∩ the 10 m road buffer": intersecting it
    (r"\s*∩\s*", " intersecting "),
    # "inside the 20 m road buffer", "outside the 50 m river buffer", "encroaching on the 15 m
    # road setback": of the road, the river
    (rf"\b(in|inside|within|outside|intersect(?:s|ing)?|overlap(?:s|ping)?|{_INSIDE_A_ZONE})\s+"
     r"(?:(?:a|an|the)\s+)?(\d+(?:\.\d+)?\s*-?\s*"
     r"[^\W\d_]+)\s+((?!buffer\b|setback\b)[^\W\d_]+(?:\s+(?!buffer\b|setback\b)[^\W\d_]+)?)"
     r"\s+(?:buffer|setback)(?:\s+zone)?\b",
     lambda m: f" {'more than' if m.group(1).lower() == 'outside' else 'within'} {m.group(2)} "
               f"{'from' if m.group(1).lower() == 'outside' else 'of'} the {m.group(3)} "),
    # "within the river buffer", "outside the road buffer zone" (no width said): near it, not
    # near it, at the pair's "near" distance the plan shows (a width said sets it)
    (rf"\b(in|inside|within|outside)\s+(?:a|an|the)\s+((?:{_ANY_NAMES})(?:e?s)?)\s+"
     r"buffer(?:\s+zone)?\b",
     lambda m: f" {'not near' if m.group(1).lower() == 'outside' else 'near'} the {m.group(2)} "),
    # "buildings sharing a wall", "houses attached to each other": touching each other
    (rf"\b(?:(?:attached|joined|connected)\s+to|{_A_WALL}(?:\s+with)?)\s+{_ANOTHER}",
     " touching each other "),
    (rf"\b{_A_WALL}\b", " touching each other "),
    # "bare patches in the field": patches of bare land
    (r"\bbare\s+(?=patch(?:es)?\b)", " bare land "),
    # "buildings that are located next to the road": that are next to it
    (r"\b(that|which)\s+(is|are)\s+(?:located|situated|positioned|placed|found)\b", r" \1 \2 "),
    # "cars that can be seen near the road", "cars sitting on it", "trees that stand along it":
    # a verb of being there says no more than the place after it
    (rf"\b(?:(?:that|which|who)\s+(?:can\s+be\s+(?:seen|found)|appears?|exists?|lies?|stands?|"
     rf"sits?|(?:is|are)\s+present)|appearing|existing|sitting|present)\s+"
     rf"(?=(?:not\s+)?(?:(?:entirely|completely|fully|wholly|totally|partly|partially)\s+)?"
     rf"(?:{_RELATION_LEADS}|surrounded|enclosed|amid|among|amongst|parallel|"
     rf"opposite|nearby|facing|overlapping|about|roughly|approximately|some|nearly|almost|"
     rf"no|a\s+(?:maximum|minimum)|up\s+to|closer|beyond|\d)\b|\s*$)"
     rf"(?!on\s+(?:their|its)\s+own\b)",
     " "),
    # "nearly (almost) 20 m from the road": about that far
    (rf"\b(?:nearly|almost)\s+(?=(?:\d[\d,.]*|{_either(lx.NUMBER_WORDS)})\s*(?:{_LENGTH_UNITS})\b)",
     " about "),
    # "the length of the road", "the total area of buildings near the river", "the perimeter
    # of the lake": a measure asked of objects is asked of them (each feature holds its area)
    (r"^\s*(?:(?:what|how\s+(?:big|long|wide|large))\s+(?:is|are)\s+)?(?:the\s+)?(?:total\s+|"
     rf"combined\s+|overall\s+|average\s+|mean\s+|median\s+|typical\s+)?(?:{_MEASURES_ASKED}|"
     r"colou?r)s?\s+of\s+(?!(?:the\s+|this\s+)?(?:image|scene|picture|map|raster)\b)", " "),
    # "the distance between the school and the river", "how far is the school from the
    # river", "the distance from each building to the road": the objects, both (each
    # feature's geometry holds what to measure)
    (r"^\s*(?:what\s+(?:is|are)\s+)?(?:the\s+)?distances?\s+(?:between|from)\s+(?:each\s+|"
     r"every\s+)?(.{1,60}?)\s+(?:and|to)\s+(.{1,60}?)\s*[.!?]*\s*$", r" \1 and \2 "),
    (r"^\s*(?:what\s+(?:is|are)\s+)?(?:the\s+)?distances?\s+between\s+(.{1,60}?)\s*[.!?]*\s*$",
     r" \1 "),
    (r"^\s*how\s+far\s+(?:away\s+)?(?:is|are)\s+(.{1,60}?)\s+from\s+(.{1,60}?)\s*[.!?]*\s*$",
     r" \1 and \2 "),
    # "the average size of buildings" as "average building size": the buildings
    (rf"^(?=.{{0,80}}(?:size|area|length|width|footprint)s?\s*[.!?]*\s*$)\s*(?:the\s+)?"
     rf"(?:average|mean|median|typical|total)\s+((?:{_ANY_NAMES})(?:e?s)?)\s+"
     r"(?:size|area|length|width|footprint)s?\s*[.!?]*\s*$", r" \1 "),
    # "the road's width", "the buildings' areas", "the lakes perimeter": the same, possessive
    (rf"^\s*((?:the\s+)?(?:[^\W\d_]+\s+)?(?:{_ANY_NAMES})(?:e?s)?)(?:'s|'|’s|’)?\s+(?:total\s+|"
     rf"combined\s+)?{_MEASURES_ASKED}s?\s*$", r" \1 "),
    # "how long is the road", "how big are the lakes": the objects (it was the long road)
    (r"^\s*how\s+(?:big|long|wide|large|small|narrow|short)\s+(?:is|are)\s+(?=(?:the|all|these|"
     r"those|this|that|each|every)\b)", " "),
    # "top 3 buildings by area", "the top five roads by length": the largest, the longest;
    # "the largest among the buildings": of them; "the last car on the left": the one at the
    # very left, as "the first" is
    (rf"\b(?:the\s+)?top\s+(\d+|{_either(lx.NUMBER_WORDS)})\s+((?:{_NAMES})(?:e?s)?)\s+by\s+"
     r"(?:their\s+|its\s+)?(area|size|footprint|length|width)\b",
     lambda m: f" the {lx.NUMBER_WORDS.get(m.group(1).lower(), m.group(1))} "
               f"{_BY_MEASURE[m.group(3).lower()]} {m.group(2)} "),
    (r"\b((?:largest|biggest|smallest|longest|widest|shortest|narrowest)(?:\s+\d+)?)\s+among\s+",
     r"\1 of "),
    (r"\bthe\s+last\s+(?=(?:[^\W\d_]+\s+){1,2}(?:on|at|in|to)\s+the\s+(?:far\s+|very\s+)?"
     r"(?:left|right|top|bottom)\b)", " the first "),
    # "sort the buildings by area", "order the cars by length": the objects, as "sorted by"
    (r"^\s*(?:please\s+)?(?:sort|order|rank|list)\s+((?:the\s+|all\s+(?:the\s+)?)?[^\W\d_]+"
     r"(?:\s+[^\W\d_]+)?)\s+(?=(?:by|according\s+to)\s+(?:their\s+|its\s+)?(?:area|size|length|"
     r"width|footprint|distance)\b)", r" \1 sorted "),
    # "trees spaced more than 10 m apart": that far apart
    (r"\b(?:(?:that\s+|which\s+)?(?:are|is)\s+)?spaced\s+(?=(?:more|less|at|over|under|within|"
     r"no|not|\d)[^.]{0,40}?\bapart\b)", " "),
    # "by far the largest building", "the biggest house of all (overall)": the largest; "the
    # next largest": the second; "the building most distant from the road": the farthest
    (r"\bby\s+far\s+(?=the\b)|(?<=[^\W\d_])\s+(?:by\s+far|of\s+(?:them\s+)?all|overall)"
     r"(?=\s*[.!?]*\s*$)", " "),
    (r"\bthe\s+next\s+(?=(?:[^\W\d_]+est|most\s+[^\W\d_]+)\b)", " the second "),
    (r"\b(?:the\s+)?most\s+(?:distant|remote)\s+(?=(?:[^\W\d_]+\s+){0,2}?from\b)", " farthest "),
    # "buildings sorted by area", "ranked by their distance from the river", "in order of
    # size", "from largest to smallest": every building (the layer holds the areas and the
    # distances to sort by)
    (r"\b(?:(?:sorted|ordered|ranked|listed)\s+(?:by|according\s+to)\s+(?:their\s+|its\s+)?"
     r"(?:area|size|length|width|footprint|distance\s+(?:to|from)\s+(?:the\s+)?[^\W\d_]+)"
     r"(?:\s+(?:descending|ascending|in\s+(?:descending|ascending)\s+order))?"
     r"|in\s+(?:descending\s+|ascending\s+)?order\s+of\s+(?:area|size|length|width)"
     r"|from\s+(?:the\s+)?(?:largest|biggest|smallest)\s+to\s+(?:the\s+)?(?:smallest|largest|"
     r"biggest))\b|,\s*(?:the\s+)?(?:largest|biggest|smallest)\s+first\s*[.!?]*\s*$", " "),
    # "in a 100 m buffer around the river", "within the 50 m buffer of the road", "in the
    # 100 m zone (strip, corridor, band) along the river", "within 30 m setback of the river",
    # "violating the 30 m setback from the river" (inside it): within it;
    # "overlapping with", "intersects with": overlapping, intersects
    (rf"\b(?:in|inside|within|{_INSIDE_A_ZONE})\s+(?:(?:a|an|the)\s+)?(\d+(?:\.\d+)?)\s*-?\s*"
     rf"([^\W\d_]+)\s+(?:{_ZONES}|radius)(?:\s+zone)?\s+"
     r"(?:around|of|from|along|alongside|beside|next\s+to)\b", r" within \1 \2 of "),
    (r"\b(?:with)?in\s+a\s+radius\s+of\s+(\d+(?:\.\d+)?)\s*-?\s*([^\W\d_]+)\s+"
     r"(?:around|of|from)\b", r" within \1 \2 of "),   # "in a radius of 20 m around the house"
    (r"\b(overlap(?:s|ping)?|intersect(?:s|ing)?)\s+with\b", r" \1 "),
    # "grass cover", "canopy cover", "water coverage": the grass, the canopy, the water (a
    # singular name: "trees cover the road" is a verb)
    (rf"\b({_NAMES})\s+cover(?:age)?\b(?!\s+(?:the|an?|of|it|them)\b)", r" \1 "),
    # "right next to", "directly north of", "just south of", "immediately behind": the
    # relation itself
    (r"(?<!the )\b(?:directly|immediately|just|right|straight|due|somewhere|anywhere)\s+"
     r"(?=(?:next\s+to|beside|"
     r"behind|in\s+front\s+of|above|below|under|over|opposite|across|adjacent|along|"
     r"alongside|outside|inside|by|on|in|at|off|(?:north|south|east|west)\w*\s+of)\b)", " "),
    # "further north than the river", "northwards of the road": north of it
    (r"\b(?:(?:further|farther|more)\s+)?(north|south|east|west)(?:wards?)?\s+than\b",
     r" \1 of "),
    (r"\b(north|south|east|west)wards?\s+of\b", r" \1 of "),
    # "off-road vehicles", "off-street parking": those off it ("off" is "not on":
    # lexicon.NEGATED_FORMS)
    (rf"\boff[\s-]?(road|street)\s+((?:{_ANY_NAMES})s?\b)", r" \2 off the \1 "),
    # "cars driving on the road", "trucks moving along the highway": where they are (the
    # parser's plan notes the motion it cannot see, lexicon.MOTION_WORDS)
    (rf"\b(?:{_MOVING})\s+(?=(?:on|along|alongside|in|across|through|over|down|up|towards?|"
     r"into|onto|at|near|next|beside|by|past|around|close|within|inside|outside|"
     r"(?:north|south|east|west)\w*\s+of)\b)", " "),
    # "the trees of the park", "cars of the parking lot", "the roads of the town": in it (a
    # building's: "the buildings of the hospital", read below, are beside it)
    (rf"\b((?:{_ANY_NAMES})(?:e?s)?)\s+of\s+(?=(?:the|this|that)\s+(?:[^\W\d_]+\s+)?"
     r"(?:park|garden|forest|woods?|woodland|field|farm|orchard|plantation|parking\s+lot|"
     r"car\s+park|town|village|city|suburb|neighbou?rhood)s?\b)", r"\1 in "),
    # "cars parked outside the house", "trees outside the school": next to it (from above,
    # only a building stands in one: "sheds outside the largest building" stay not on it)
    (rf"\boutside\s+(?:of\s+)?(?=(?:the|a|an|this|that)\s+(?:building|{_BUILDING_NAMES})"
     rf"(?:e?s)?\b)", _outside_a_building),
    # "cars exiting the parking lot", "trucks entering the highway": near it ("leaving" is
    # no such word: "leaving out the small ones")
    (r"\b(?:exiting|entering|approaching)\s+(?=(?:the|a|an|this)\s)", " near "),
    # "cars heading into (pulling out of, leaving) the parking lot": near it, as entering it
    (rf"\b(?:(?:heading|driving|going|pulling|turning|coming|moving)\s+(?:in)?to|(?:pulling|"
     rf"driving|coming|moving)\s+out\s+of|leaving)\s+(?=(?:the|a|an|this)\s+(?:[^\W\d_]+\s+)?"
     rf"(?:(?:{_ANY_NAMES})(?:e?s)?|{_either(lx.JUNCTION_NOUNS)})\b)", " near "),
    # "the house far away from the others", "the building furthest from the rest": far from
    # the others of its kind (each other)
    (r"\b((?:far|further|furthest|farther|farthest|distant|apart)\s+(?:away\s+)?from)\s+"
     r"(?:(?:all\s+)?the\s+(?:others|rest|other\s+ones)|(?:all\s+)?others)\b", r" \1 each other "),
    # "the road separating the buildings from the river", "the river that divides the forest
    # and the field": between the two; "separating the two forests": between them; "dividing
    # the town in two": through it (:func:`_separating`)
    (rf"(?<=[^\W\d_])\s+{_SEPARATES}\s+((?:(?!(?:from|and)\b)[^\W\d_]+\s+){{1,4}}?)"
     r"(?:from|and)\s+(?=[^\W\d_])", r" between \1 and "),
    (rf"(?<=[^\W\d_])\s+{_SEPARATES}\s+(?P<parted>(?:(?:the|a|an|both)\s+)?(?:(?:two|2)\s+)?"
     r"(?:[^\W\d_]+\s+){0,2}?[^\W\d_]+?)(?:\s+(?:in|into)\s+(?:two|2|half|halves)"
     r"(?:\s+(?:parts|halves|pieces))?)?(?=\s*(?:$|[,.;]|\b(?:and|or|but|near|with|in|on|"
     r"north|south|east|west)\b))", _separating),
    # "white lines on the road", "the markings painted on the street": its markings ("cars in
    # lines on the road" are rows)
    (rf"(?<!\bin\s)(?<!\bof\s)\b(?:lines|markings)\s+(?:(?:painted|drawn)\s+)?on\s+(?:the\s+|a\s+)?"
     rf"(?:{_ROAD_NAMES})s?\b", " road markings "),
    # "roads (running, passing) through the town", "a river flowing through the village": in
    # it (a settlement is its buildings; "through the forest" crosses it)
    (r"\b(?:(?:running|runs|run|going|goes|passing|passes|cutting|leading|flowing|flows|"
     r"winding|winds|snaking|meandering)\s+)?(?:through|throughout)\s+(?=(?:the\s+|a\s+|an\s+)?"
     r"(?:village|hamlet|town|city|settlement|suburb|neighbou?rhood|urban\s+area|"
     r"built[\s-]up\s+area)s?\b)", " in "),
    # "the road that runs through the forest", "the river flowing through the field": it
    # crosses it (:data:`~.lexicon.NEAR_WORDS`: "running through")
    (r"\b(?:(?:that|which)\s+)?(?:runs|run|goes|go|passes|pass|cuts|cut|flows|flow|flowing|winds|"
     r"wind|winding|snakes|snaking|meanders|meandering)\s+(?:through|across)\b", " crossing "),
    # "the road with the largest (highest) number of cars": with the most cars; the smallest
    # (lowest) number: the fewest
    (r"\bthe\s+(?:(largest|greatest|highest|biggest|maximum|max)|smallest|lowest|least|"
     r"minimum|min)\s+(?:number|count|amount)\s+of\b",
     lambda m: " the most " if m.group(1) else " the fewest "),
    # "the darkest building among those near the river", "the largest of the ones along the
    # road": the darkest (largest) building near the river
    (r"\b(?:among|amongst|of)\s+(?:those|the\s+ones)\s+(?:(?:that|which)\s+(?:are|is)\s+)?"
     r"(?=[^\W\d_])", " "),
    # "half a hectare": 0.5 of it; "one and a half hectares", "2 and a half acres": 1.5, 2.5
    (r"\bhalf (?:a|an)\b", " 0.5 "),
    (rf"\b(\d+|{_either(lx.NUMBER_WORDS)})\s+and\s+a\s+half\b",
     lambda m: f" {float(lx.NUMBER_WORDS.get(m.group(1).lower()) or m.group(1)) + 0.5:g} "),
    # "near neither the road nor the river", "next to neither the school nor the church": the
    # relation said once before both, as "neither near the road nor the river" says it
    (rf"\b((?:{_RELATION_LEADS})(?:\s+(?:than\s+)?[\d.]+\s*(?:{_UNITS}))?"
     rf"(?:\s+(?:to|from|of))?)\s+neither\b", r" neither \1 "),
    # "neither near the road nor near the river", "neither small nor near the road": not the
    # one and not the other
    (rf"\bneither\s+((?:{_RELATION_LEADS}|{_SIZES})\b.*?)\s+nor\b", r" not \1 and not "),
    # "buildings near the road but not the river", "... neither near the road nor the river",
    # "next to the road but not to the house": not near the river, the relation said once
    # for both (it was "except water"); "cars on the road but not the trucks" (of the
    # target's own group) stays an exception
    (rf"\b({_ELIDED_RELATION}\s+(?:the\s+|an?\s+|any\s+)?(?:{_ANY_NAMES})(?:e?s)?\s*,?\s+"
     rf"(?:(?:but|and)\s+)?(?:not|nor))\s+(?:(?:to|from)\s+)?"
     rf"(?=(?:the\s+|an?\s+|any\s+)?((?:{_ANY_NAMES})(?:e?s)?)\b)", _relation_again),
    # "neither cars nor trucks" as the whole expression: anything but them
    (r"^\s*neither\s+(.{1,200}?)\s+nor\s+(.{1,200}?)\s*[.!?]*\s*$",
     lambda m: f" not {m.group(1)} or {m.group(2)} " if _listed(m.group(1)) == len(m.group(1))
     and _listed(m.group(2)) == len(m.group(2)) else m.group(0)),
    # "cars lined up along the road", "buildings arranged along it": along it
    (r"\b(?:lined|lining|queued|queuing) up\b", " "),
    # "at least 10 m but no more than 30 m from the road", "less than 50 m and more than 20 m
    # from the river": both bounds of the distance from it (the first was read as a length)
    (rf"\b({_BOUND})\s+(\d+(?:\.\d+)?\s*(?:{_LENGTH_UNITS}))\s+(?:but|and|yet)\s+({_BOUND})\s+"
     rf"(\d+(?:\.\d+)?\s*(?:{_LENGTH_UNITS}))\s+((?:away\s+)?(?:from|of))\s+((?:the|an?|any)\s+"
     rf"(?:[^\W\d_]+\s+){{0,2}}?(?:{_ANY_NAMES})(?:e?s)?)\b",
     r" \1 \2 \5 \6 and \3 \4 \5 \6 "),
    # "within 20 m of buildings but not within 5 m": the second distance from them too (a band)
    (rf"\b((?:within|less\s+than|more\s+than|at\s+least|over|under)\s+\d+(?:\.\d+)?\s*"
     rf"(?:{_LENGTH_UNITS})\s+(?:of|from)\s+((?:(?:the|an?|any)\s+)?(?:[^\W\d_]+\s+)?"
     rf"(?:{_ANY_NAMES})(?:e?s)?))\s*,?\s+((?:but|and)(?:\s+not)?)\s+((?:within|closer\s+than|"
     rf"less\s+than|more\s+"
     rf"than|further\s+than|farther\s+than|at\s+least)\s+\d+(?:\.\d+)?\s*(?:{_LENGTH_UNITS}))\b"
     r"(?!\s+(?:of|from|away|to)\b)", r" \1 \3 \4 from \2 "),
    # "houses above (below) 20 m from the road": more (less) than that; "exactly 20 m from",
    # "within 20 m or so of", "20 m back from": that distance as said without them;
    # "more than 5 m in width (length)": wide (long)
    (rf"\b(above|below)\s+(?=\d+(?:\.\d+)?\s*(?:{_LENGTH_UNITS})\s+(?:away\s+)?from\b)",
     lambda m: " more than " if m.group(1).lower() == "above" else " less than "),
    (rf"\bexactly\s+(?=\d+(?:\.\d+)?\s*(?:{_LENGTH_UNITS})\s+(?:away\s+)?from\b)", " "),
    (rf"(\d\s*(?:{_LENGTH_UNITS}))\s+or\s+so\b", r"\1 "),
    (rf"(\d\s*(?:{_LENGTH_UNITS}))\s+back\s+(?=from\b)", r"\1 "),
    (rf"(\d\s*(?:{_LENGTH_UNITS}))\s+in\s+(width|length)\b",
     lambda m: f"{m.group(1)} {'wide' if m.group(2).lower() == 'width' else 'long'} "),
    # "between 50 and 100 m away from the road": from it ("away" took the band for a length)
    (rf"(\d\s*(?:{_UNITS}))\s+away\s+(?=from\b)", r"\1 "),
    # "within 1000' of the road": feet, as surveyors mark them
    (r"(?<=\d)\s*'(?=\s)", " ft"),
    # "with one or two cars", "having 2 or 3 trees": between them (a count of what is had)
    (rf"\b(with|having|have|has)\s+(\d+|{_either(lx.NUMBER_WORDS)})\s+or\s+"
     rf"(\d+|{_either(lx.NUMBER_WORDS)})\s+(?=(?:{_ANY_NAMES})(?:e?s)?\b)", _one_or_other),
    # "20 m to 40 m", "20m-40m": one unit for both ends, "20 to 40 m"
    (rf"(\d+(?:\.\d+)?)\s*({_UNITS})\s*(-|–|to\b|and\b)\s*(\d+(?:\.\d+)?)\s*\2\b",
     r"\1 \3 \4 \2"),
    # "100-200 m2": a range (before hyphens become spaces)
    (r"(\d+(?:\.\d+)?)\s*[-–]\s*(\d+(?:\.\d+)?)", r" between \1 and \2 "),
    # "100 to 300 m2", "from 10 to 50 m from the road": the same, before a unit
    (r"\b(?:from )?(\d+(?:\.\d+)?)\s+to\s+(\d+(?:\.\d+)?)(?=\s*[^\W\d_])",
     r" between \1 and \2 "),
    # "reddish", "teal", "rusty", "rust-coloured": the colour names they stand for
    (rf"\b({_either(lx.COLOUR_ALIASES)})(?:[\s-]+colou?red)?\b",
     lambda m: f" {lx.COLOUR_ALIASES[m.group(1).lower()]} "),
    # "the southern-most tree", "the north most building": the southernmost, the northernmost
    (r"\b(north|south|east|west)(?:ern)?[\s-]+most\b", r" \1ernmost "),
    # "white-ish cars": white ones; "roofs in shades of red": red ones
    (rf"\b({_COLOUR_NAMES})[\s-]+ish\b", r" \1 "),
    (rf"\bin\s+(?:various\s+|different\s+)?(?:shades|tones|hues)\s+of\s+(?={_A_COLOUR}\b)",
     " that are "),
    # "cars of a dark colour", "cars coloured red", "roofs painted white", "roofs in red"
    # (last): the colour said after the name, as "cars that are red"
    (rf"\b(?:pale|deep|mostly|mainly|predominantly)\s+(?={_A_COLOUR}\b)",
     lambda m: {"pale": " light ", "deep": " dark "}.get(m.group(0).split()[0].lower(), " ")),
    # ("roofs with a reddish tint (hue, tinge)": reddish ones)
    (rf"\b(?:of|with|in|having)\s+(?:an?\s+)?(?:{_A_COLOUR}|([^\W\d_]+ish))\s+(?:colou?r|hue|"
     rf"shade|tone|tint|tinge|cast|paint(?:work|\s+job)?|finish)s?\b(?!\s+(?:roofs?|rooftops?)\b)",
     lambda m: f" that are {m.group(1) or m.group(2)} "),
    (rf"\b(?:colou?red|painted|roofed)\s+(?:in\s+)?{_A_COLOUR}\b", r" that are \1 "),
    (rf"\b(?:(?:that|which)\s+(?:look|looks|appear|appears|seem|seems)|appearing|looking|"
     rf"seeming)\s+(?=(?:{_A_COLOUR}|{_SIZES})\b)", " that are "),
    # "buildings near red cars or white cars": near red or white cars, the name said once (the
    # second was read as a second target)
    (rf"\b(?P<a>{_A_COLOUR})\s+(?P<n>(?:{_NAMES})(?:e?s)?)\s+(?P<j>or|and)\s+(?P<b>{_A_COLOUR})\s+"
     rf"(?P=n)\b",
     lambda m: f" {m.group('a')} {m.group('j')} {m.group('b')} {m.group('n')} "),
    # "trucks (colour: dark grey)": dark grey ones; "the white ones among the trucks": the
    # white trucks
    (rf"\(\s*colou?r\s*[:=]\s*{_A_COLOUR}\s*\)", r" that are \1 "),
    (rf"\bthe\s+(?P<which>{_A_COLOUR}|{_SIZES}|[^\W\d_]+est)\s+ones?\s+(?:among|amongst|of)\s+"
     rf"(?:all\s+)?(?:the\s+)?(?=(?:{_ANY_NAMES})(?:e?s)?\b)", lambda m: f" {m.group('which')} "),
    # a degree that says no more than the word: "kind of large houses", "somewhat small",
    # "extra large" (very); "not so (too) large buildings": those not large
    (rf"\b(?:somewhat|kind\s+of|sort\s+of|a\s+bit|a\s+little|slightly|moderately)\s+"
     rf"(?=(?:{_A_COLOUR}|{_SIZES})\b)", " "),
    (r"\bextra[\s-]+(?=(?:large|big|small|long|wide|narrow)\b)", " very "),
    (rf"\bnot\s+(?:so|too|that|overly)\s+({_SIZES})\s+((?:{_ANY_NAMES})(?:e?s)?)\b",
     r" \2 that are not \1 "),
    # as a table or a telegram says it: "car colour white", "cars color is white", "vehicle
    # white colour", "white colour cars", "building red roof"
    (rf"\b((?:{_ANY_NAMES})(?:e?s)?)\s+(?:colou?r\s+(?:is\s+|=\s*|:\s*)?{_A_COLOUR}|"
     rf"{_A_COLOUR}\s+colou?r)\b", lambda m: f" {m.group(1)} that are {m.group(2) or m.group(3)} "),
    (rf"\b{_A_COLOUR}[\s-]+colou?r\s+(?=(?:{_ANY_NAMES})(?:e?s)?\b)", r" \1 "),
    # "the car which is white colour", "with blue colour roof": the colour
    (rf"\b{_A_COLOUR}[\s-]+colou?r\b", r" \1 "),
    (rf"\b((?:building|{_BUILDING_NAMES})(?:e?s)?)\s+{_A_COLOUR}\s+(roofs?|rooftops?)\b",
     r" \1 with \2 \3 "),
    (rf"\bin\s+{_A_COLOUR}\s*(?=$|,|\band\b|\bor\b)", r" that are \1 "),
    # "greater than or equal to", "equal to or more than": at least; "less than or equal to":
    # at most; "much larger than", "far more than": the comparison (its degree unmeasured)
    (r"\b(?:(?:greater|larger|bigger|more|higher|longer|wider)\s+than\s+or\s+equal\s+to|"
     r"equal\s+to\s+or\s+(?:greater|larger|bigger|more|higher|longer|wider)\s+than)\b",
     " at least "),
    (r"\b(?:(?:less|smaller|fewer|lower|shorter|narrower)\s+than\s+or\s+equal\s+to|"
     r"equal\s+to\s+or\s+(?:less|smaller|fewer|lower|shorter|narrower)\s+than)\b", " at most "),
    (r"\b(?:much|far|significantly|considerably|substantially|way|markedly|notably)\s+"
     r"(?=(?:larger|bigger|smaller|longer|shorter|wider|narrower|darker|brighter|lighter|"
     r"greater|more|less|fewer)\s+than\b)", " "),
    # as a learner may say it: "near by", "close by the river", "houses close road", "on top
    # the bridge", "building with big size"
    (r"\bclose[\s-]+by\b", " near "),
    (rf"\bclose\s+(?=(?:the\s+|a\s+|an\s+)?(?:{_ANY_NAMES})\b)", " close to "),
    # "buildings close with the road", "houses in front the road", "cars parking beside the
    # road" (parked: only after a vehicle's name in the plural or a clause, "the car parking
    # near the road" is a lot)
    (rf"\bclose\s+with\s+(?=(?:the\s+|a\s+|an\s+)?(?:{_ANY_NAMES})\b)", " close to "),
    (rf"\bin\s+front\s+(?!gardens?\b)(?=(?:the|a|an)\b|(?:{_ANY_NAMES})(?:e?s)?\b)",
     " in front of "),   # ("in front gardens": in the gardens in front, lexicon.PLACE_NOUNS)
    # "much near to the river", "close at", "near from", "far of": the words meant
    (r"\bmuch\s+(?=(?:near|close)\b)", " "),
    (r"\bclose\s+at\b", " close to "),
    (r"\bnear\s+from\b", " near "),
    (r"\bfar\s+of\b", " far from "),
    # "the cars closer to the road", "houses further from the river" with nothing after
    # "than": the ones near (far); "closer to the road than to the river" compares
    (r"\b(?:closer|nearer)\s+(?:to|of)\b(?!.*\bthan\b)", " near "),
    (r"\b(?:further|farther)\s+(?:away\s+)?from\b(?!.*\bthan\b)", " far from "),
    (r"\b(?:furthest|farthest)\s+away\s+from\b", " farthest from "),
    # "houses at the both side of road", "in both side of the river": on both sides of it;
    # "the up side of the image", "the down part": its upper (lower) side
    (r"\b(?:at|in|on)\s+(?:the\s+)?(?:both|either|each)\s+sides?\s+of\b", " on both sides of "),
    (r"\bup\s+(?=(?:side|part|half|corner)\b)", " upper "),
    # "cars in the image's upper half", "buildings in the image center", "the center
    # buildings": a part of the image, as "the upper half", "the centre of the image" are
    (r"\b(?:the\s+)?(?:image|picture|photo|scene|map)(?:'s|’s)\s+(?=(?:upper|lower|top|bottom|left|"
     r"right|north|south|east|west|cent(?:re|er|ral)|middle)\w*\b)", " the "),
    (r"\b(in|at|near|around)\s+the\s+(?:image|picture|photo|map)\s+(?:cent(?:re|er)|middle)\b",
     r" \1 the centre of the image "),
    (rf"\bthe\s+(?:cent(?:re|er)|middle)\s+(?!lanes?\b)(?=(?:{_ANY_NAMES})(?:e?s)?\b)",
     " the central "),   # ("the middle lane" is a part of a road, which no mask shows)
    # "diagonally opposite the park": opposite it (an axis it lay along was read);
    # "houses in line with the road": aligned with it (not a row); "within the boundary
    # (limits) of the park": inside it
    (r"\bdiagonally\s+(?=(?:opposite|across)\b)", " "),
    (r"\bin\s+line\s+with\b", " aligned with "),
    (r"\b(?:with)?in\s+(?:the\s+)?(?:boundary|boundaries|limits?|perimeter|confines|bounds)\s+of\b",
     " inside "),
    (r"\bof\s+(?:the\s+)?(?=(?:left|right|upper|lower|top|bottom)\s+(?:side|part|half)\b)",
     " on the "),
    # "constructions" (buildings), "in movement" (moving), "stationed" (parked), "the green
    # zones", "the parking zone" (areas), as other languages say them
    (r"\bconstructions\b", " buildings "),
    (r"\bin\s+(?:movement|motion)\b", " moving "),
    (r"\bstationed\b", " parked "),
    (r"\b(green|parking|wooded|forested|built[\s-]up|urban)\s+zone(s?)\b", r" \1 area\2 "),
    # "cars stand on the road", "trucks staying in the lot": where they are (after a name in
    # the plural or a clause: "a forest stand" is trees)
    (rf"\b((?:{_ANY_NAMES})(?:e?s\s+|(?:e?s)?\s+(?:that|which|who)\s+(?:is\s+|are\s+)?))"
     r"(?:stand|stands|stay|stays|staying|remain|remains|remaining)\s+"
     r"(?=(?:on|in|at|near|beside|along|alongside|next|by|under|outside|close|behind|inside|"
     r"around)\b)", r" \1standing "),
    (r"\bdown\s+(?=(?:side|part|half|corner)\b)", " lower "),
    (r"\bbrightly[\s-]+colou?red\b", " bright "),   # "brightly coloured roofs"
    (r"\bsand[\s-]+colou?red\b", " beige "),          # ("sand" alone is bare land)
    # "big-ish houses", "full-size cars": large; "compact cars", "subcompact cars": small
    # ones (a car's class, not the compact outline of "compact buildings")
    (r"\b(big|large|small|long|wide|narrow)[\s-]+ish\b", r" \1 "),
    (r"\bfull[\s-]+sized?\b", " large "),
    (r"\b(?:sub)?compact\s+(?=(?:cars?|vehicles?)\b)", " small "),
    (r"\b(with|has|have|having)\s+lot\s+of\b", r" \1 a lot of "),   # "roads with lot of cars"
    # "cars parked in the lot": a parking lot, after a vehicle's name ("a lot of" is many)
    (rf"\b((?:{_VEHICLE_NAMES})(?:e?s)?\b.*?\b(?:in|at|on|inside|within|into|of)\s+"
     rf"(?:(?:the|a|an|this|that)\s+)?)lot(s?)\b(?!\s+of\b)", r"\1parking lot\2"),
    (rf"\b((?:{_VEHICLE_NAMES})(?:e?s\s+|(?:e?s)?\s+(?:that|which|who)\s+(?:is\s+|are\s+)?))"
     r"parking\s+(?=(?:on|in|at|near|beside|along|alongside|next|by|under|outside|close|behind|"
     r"off|inside|around)\b)", r"\1parked "),
    (r"\bon\s+top\s+(?=the\b)", " on top of "),
    (r"\bwith\s+(?:an?\s+)?(big|large|small|huge|tiny|medium)\s+size\b", r" of \1 size "),
    # "w/", "w/o", "w/in": with, without, within
    (r"\bw/o\b", " without "), (r"\bw/in\b", " within "), (r"\bw/", " with "),
    (r"\b(?:other than|(?<!far )(?<!widely )(?<!well )apart from|aside from|rather than|"
     r"instead of)\b", " except "),
    # "trees but not the ones near buildings": those near them; "Exclude small ones." (a
    # second sentence): excluding them
    (rf"\b(except|but\s+not|excluding)\s+the\s+ones\s+(?=(?:{_RELATION_LEADS}|that|which)\b)",
     r" \1 those "),
    (r"\bexclude\b", " excluding "),
    # "nowhere near the road", "not at all (not even, not anywhere) near it": not near it;
    # "buildings save (minus, without) those near the road": except them
    (rf"\bnowhere\s+(?=near\b|close\s+to\b|in\s+the\s+vicinity\s+of\b|in\s+(?:close\s+)?"
     r"proximity\s+(?:to|of)\b)|\bnot\s+(?:anywhere|at\s+all|even|directly|right)\s+"
     rf"(?=(?:{_RELATION_LEADS})\b)", " not "),
    (rf"\b(?:save|minus|without)\s+(?=(?:those|the\s+ones)\s+(?:{_RELATION_LEADS}|that|which)\b)",
     " except "),
    # "vehicles minus trucks", "leaving out (ignoring, not counting) the small ones",
    # "vehicles without the trucks" (a kind of vehicle: left out, not a thing they lack),
    # "vehicles, trucks excluded": except them
    (rf"\bminus\s+(?=(?:the\s+)?(?:{_ANY_NAMES}))|\b(?:leaving\s+out|leave\s+out|omitting|"
     r"ignoring|disregarding|not\s+counting|without\s+counting)\b", " excluding "),
    (rf"\b(vehicles?)\s+without\s+(?:the\s+|any\s+)?(?=(?:{_VEHICLE_KINDS})(?:e?s)?\b)",
     r"\1 except "),
    (rf",\s*((?:the\s+)?(?:{_ANY_NAMES})(?:e?s)?)\s+(?:excluded|not\s+included|left\s+out)"
     r"\s*[.!?]*\s*$", r" except \1 "),
    # "nothing but trees", "trees and nothing else", "every single tree": the trees; "plus"
    # joins as "and" does
    (r"^\s*nothing\s+but\b|\band\s+nothing\s+else\b", " "),
    (r"\bevery\s+single\b", " every "), (r"(?<=[^\W\d_])\s+plus\s+(?=[^\W\d_])", " and "),
    # "in the top quartile (decile) by size": the largest 25 (10) percent
    (r"\b(top|bottom|upper|lower)\s+(quartile|quintile|decile|tercile)\b",
     lambda m: f" {'top' if m.group(1).lower() in ('top', 'upper') else 'bottom'} "
               f"{dict(quartile=25, quintile=20, decile=10, tercile=33)[m.group(2).lower()]} "
               "percent "),
    # "the top 10 % of buildings (by area)", "in the bottom 5 percent": the largest, the
    # smallest share
    # ("the top 10 % largest (longest) buildings": that rank's share; "in the top quartile of
    # size": of it as "by" it)
    (r"\b(?:top|bottom)\s+(\d+(?:\.\d+)?\s+percent)\s+((?:most|least)\s+[^\W\d_]+|"
     r"[^\W\d_]+est)\b", r" \2 \1 "),
    (r"\b(top|bottom)\s+(\d+(?:\.\d+)?\s+percent)(?:\s+of\s+(?:size|area|footprint)\b)?",
     lambda m: f" {'largest' if m.group(1).lower() == 'top' else 'smallest'} {m.group(2)} "),
    # "above the median size": the largest half ("not above" it: the smallest)
    (r"\b(not\s+)?(?:above|over|larger than|bigger than|greater than)\s+(?:the\s+)?median"
     r"(?:\s+(?:size|area|footprint))?\b",
     lambda m: f" in the {'smallest' if m.group(1) else 'largest'} half "),
    (r"\b(not\s+)?(?:below|under|smaller than|less than)\s+(?:the\s+)?median"
     r"(?:\s+(?:size|area|footprint))?\b",
     lambda m: f" in the {'largest' if m.group(1) else 'smallest'} half "),
    (r"\b(percent(?:\s+of(?:\s+the)?\s+[^\W\d_]+)?)\s+by\s+(?:area|size|footprint)\b", r" \1 "),
    # "houses at the forest edge", "on the road margin": at the edge of it ("the water's
    # edge" is the waterfront: along it)
    (rf"\b(on|at|along|near|to|of|from|by|beside)\s+(?:the\s+)?((?:{_NAMES})s?)"
     rf"(?:(?<!water)(?:'s|’s))?\s+(edge|fringe|margin|boundary|border|perimeter)s?\b",
     r" \1 the edge of the \2 "),
    # "near the edge of the forest", "within 50 m of the boundary of the park": of the forest
    # (the distance to an area from outside it is the distance to its edge); "at the edge of"
    # is read by the grammar, "the edge of the image" is a part of it
    (rf"\b(near|to|of|from|by|beside|around)\s+the\s+(?:edge|fringe|margin|boundary|border|"
     rf"perimeter)s?\s+of\s+(?:the\s+)?(?=(?:{_ANY_NAMES})(?:e?s)?\b)", r" \1 the "),
    # "trees on the median strip", "in the median of the road", "the central reservation":
    # the middle of the road, inside its outline (after the median size above)
    (r"\b(?:on|in|along)\s+(?:the\s+|a\s+)?(?:median|central\s+reservation)s?\s+of\b",
     " in the middle of "),
    (r"\b(?:on|in|along)\s+(?:the\s+|a\s+)?(?:median\s+strips?|central\s+reservations?"
     r"|medians?)\b(?!\s+of\b)", " in the middle of the road "),
    # "parking lots that are empty", "the car park which is full", "which roads are busy",
    # "trees that are isolated": "empty parking lots", ... (the vehicles they hold, the others
    # of their kind around them: read before the name)
    (rf"\b((?!{_DETERMINER}\b)[^\W\d_]+(?:\s+[^\W\d_]+)?)\s+(?:that|which)\s+(?:are|is)\s+"
     rf"({_BEFORE_THE_NAME})\b", r" \2 \1 "),   # ("the roads that are busy": the busy roads)
    (rf"^\s*(?:which|what)\s+([^\W\d_]+(?:\s+[^\W\d_]+)?)\s+(?:are|is)\s+({_BEFORE_THE_NAME})"
     r"\b", r" \2 \1 "),
    # "with only one car nearby", "with just 2 trees": exactly that many ("just 5 m from" is
    # a distance)
    (r"\b(?:only|just)\s+(?=(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
     rf"(?!(?:{_UNITS})(?:\b|\d))[^\W\d_])", " exactly "),
    # "cars along with trucks", "houses as well as sheds": and; "houses hidden among trees",
    # "nestled among": among
    (r"\b(?:along\s+with|together\s+with|as\s+well\s+as)\b", " and "),
    (r"\b(?:hidden|nestled|tucked(?:\s+away)?)\s+(?=(?:among|amongst|amid|amidst)\b)", " "),
    # "cars in the hospital grounds", "in the grounds of the school": in the hospital (the
    # ground beside it, as "cars in the petrol station" are)
    (r"\b(in|on|within|inside|around)\s+the\s+grounds\s+of\s+(?:the\s+|a\s+)?", r" \1 the "),
    (rf"\b(in|on|within|inside|around)\s+the\s+(?=[^\W\d_]+(?:\s+[^\W\d_]+)?\s+grounds\b)"
     rf"((?:{_ANY_NAMES}|[^\W\d_]+)(?<!playing)(?<!sports))\s+grounds\b", r" \1 the \2 "),
    # "atop the building": on it; "attached (joined) to the house": touching it; "isolated
    # (cut off) from the road", "at a distance from": far from it; "separated from": not next
    # to it; "bounded by roads": surrounded by them; "close up to": near; "out of the
    # parking lot": outside it
    (r"\batop\b", " on top of "),
    (r"\b(?:attached|joined|fixed)\s+(?:on)?to\b(?!\s+(?:each\s+other|one\s+another)\b)",
     " touching "),
    (r"\b(?:isolated|cut\s+off|remote)\s+from\b|\bat\s+a\s+distance\s+from\b", " far from "),
    (r"\bseparated\s+from\b", " not next to "),
    (r"\b(?:bounded|delimited|framed)\s+by\b", " surrounded by "),
    (r"\bclose\s+up\s+to\b", " near "),
    (rf"\b(?=[^\W\d_]+(?:\s+[^\W\d_]+)?\s+out\s+of\s)((?:{_ANY_NAMES})(?:e?s)?)\s+out\s+of\s+"
     r"(?=(?:the|a|an|this|any)\s)", r" \1 outside "),

    # (centre) of the park": in the middle of it, inside its outline
    (r"\bin\s+the\s+midst\s+of\b", " amid "),
    (r"\b(?:deep\s+(?:in|inside|within|into)|(?:at|in)\s+the\s+(?:very\s+)?heart\s+of|at\s+the\s+"
     r"(?:very\s+)?(?:centre|center|middle)\s+of)\s+(?=(?:the|a|an|this)\b)", " in the middle of "),
    # "cars of any colour except white": the cars that are not white
    (r"\b(?:of|in)\s+any\s+colou?r\s+(?:except|but)\b", " that are not "),
    # "all but the 3 largest houses": all the houses but those, as "all houses except the 3
    # largest" says (the 3 largest of everything was no object's rank); "all except roads":
    # everything except them
    (rf"^\s*all\s+(?:except|but|excluding)\s+the\s+((?:\d+|two|three|four|five|"
     rf"six|seven|eight|nine|ten)\s+)?([^\W\d_]+(?:est|most))\s+((?:{_NAMES})(?:e?s)?)\b",
     lambda m: f" all {m.group(3)} except the {m.group(1) or ''}{m.group(2)} "),
    (r"^\s*all\s+(?=(?:except|but|excluding)\b)", " everything "),
    # "all trees but the ones along the road", "every car but those on the road": except them
    # (the "but" was a conjunction: the trees along the road)
    (rf"^(\s*(?:all|every|any)\s+(?:the\s+)?(?:{_NAMES})(?:e?s)?)\s+but\s+(?=(?:the\s+ones|those|"
     r"the\s+one)\b)", r"\1 except "),
    # "cars that are anything but white": not white
    (r"\b(is|are)\s+anything\s+but\s+(?=(?:an?\s+)?[^\W\d_]+\s*$)", r" \1 not "),
    # "not trees", "areas without trees", "non-vegetated areas", "unforested land": everything
    # except them; "not near the road" is everything not near it
    (rf"^\s*not\s+(?=(?:{_RELATION_LEADS})\b)", " everything not "),
    (r"^\s*not\s+", " everything except "),
    (rf"^\s*(?:{_DETERMINER}\s+)?(?:{_AREAS})\s+(?:without|with\s+no|free\s+of|clear\s+of|"
     r"devoid\s+of|not\s+covered\s+by|not\s+covered\s+with|uncovered\s+by)\s+",
     " everything except "),
    # "areas that are not buildings": everything except them
    (rf"^\s*(?:{_DETERMINER}\s+)?(?:{_AREAS})\s+(?:that|which)\s+(?:is|are)\s+not\s+"
     rf"(?=(?:an?\s+)?(?:{_ANY_NAMES})(?:e?s)?\s*$)", " everything except "),
    # "areas covered by trees", "land overgrown with grass", "tree-covered areas": the cover
    # itself, which the model segments
    (rf"\b(?:{_DETERMINER}\s+)?(?:{_GROUND}|land)\s+(?:that\s+(?:is|are)\s+|which\s+(?:is|are)\s+)?"
     rf"(?:covered|overgrown|filled|occupied|taken\s+up|dominated)\s+(?:by|with|in)\s+"
     rf"(?=(?:{_ANY_NAMES})(?:e?s)?\b)", " "),
    (rf"\b(?=[^\W\d_]+[\s-]?(?:covered|filled)\b)((?:{_NAMES}))[\s-]?(?:covered|filled)\s+"
     rf"(?:{_GROUND}|land)\b", r" \1 "),
    # ("areas that are not vegetated", "land which is unforested": the same)
    (rf"^\s*(?:{_DETERMINER}\s+)?({_AREAS})\s+(?:that|which)\s+(?:is|are)\s+(?:not\s+|non[\s-]?|un)"
     rf"({_UNCOVERED})\b", r" non-\2 \1 "),
    (rf"^\s*(?:(?:the|all|every|any)\s+){{0,2}}(?:non[\s-]?({_UNCOVERED})|"
     rf"un({'|'.join(lx.UN_COVERED)}))"
     rf"(?:\s+(?:{_AREAS}))?\b",
     lambda m: f" everything except {lx.UNCOVERED_WORDS[lx.as_phrase(m.group(1) or m.group(2))]} "),
    (rf"^\s*(?:{_DETERMINER}\s+)?(?:treeless|tree-free|treefree)(?:\s+(?:{_AREAS}))?\b",
     " everything except trees "),
    # "non-building areas", "non-road" (a land-cover class): everything except them; not
    # before another name ("non-road vehicles")
    (rf"^\s*(?:{_DETERMINER}\s+)?non[\s-]?(building|road|tree|water)s?(?:\s+(?:{_AREAS})\b|"
     r"\s*$)", r" everything except \1s "),
    # "the parking lot's northern half", "the lake's east end": the northern half of it
    (rf"\b(?:the\s+)?((?:{_ANY_NAMES})s?)(?:'s|s')\s+((?:north|south)(?:ern|-?eastern|"
     r"-?western|-?east|-?west)?|(?:east|west)(?:ern)?|upper|lower|left|right|top|bottom|"
     r"central|middle)\s+(halves|half|parts?|sides?|sections?|portions?|ends?|thirds?|"
     r"quarters?|corners?)\b", r" the \2 \3 of the \1 "),
    # "the ground (space, gap) between the road and the river": the ground of everything in
    # between, cut to it (whole objects between had kept a field that reaches past them)
    (rf"^\s*(?:{_DETERMINER}\s+)?(?:{_GROUND}|spaces?|gaps?)\s+(?:(?:that|which)\s+(?:is|are)\s+)?"
     r"(?:(?:located|situated|lying)\s+)?(?=(?:in\s+)?between\b)", " the part of everything "),
    # "the area around the lake", "areas near the road", "the surroundings of the lake":
    # everything there ("land" alone is bare land: "land along the river")
    (rf"^\s*(?:{_DETERMINER}\s+)?(?:{_GROUND})\s+(?:(?:that|which)\s+(?:is|are)\s+)?"
     r"(not\s+)?(?:(?:located|situated|lying)\s+)?(?=(?:around|surrounding|near|next\s+to|"
     r"beside|along|alongside|by|close\s+to|within|inside|in|on|north|south|east|west)\b)",
     lambda m: " everything not " if m.group(1) else " everything "),
    (r"^\s*(?:the\s+)?(?:surroundings|vicinity|neighbourhood|neighborhood)\s+of\b",
     " everything near "),
    # "on the roadside", "at the water's edge": beside it, not over it; "the road side", "the
    # street's side": the roadside; "along the kerbside": along the road it is the side of
    (r"\b(road|street|river|lake|canal|kerb|curb|sea)(?:'?s|s')?[\s-]+side\b", r"\1side"),
    # "on the road shoulder", "on the hard shoulder of the highway": the roadside
    (r"\b(?:road\s+|hard\s+)?shoulders?(?:\s+of\s+the\s+(?:road|street|highway|motorway))?\b",
     "roadside"),
    # "on the right-hand side of the road": on its right side
    (r"\b(left|right)[\s-]+hand\s+side\b", r" \1 side "),
    # "on the banks of the river", "along the shore of the lake", "along both banks of the
    # river": along the river, the lake; "near the shore of the lake": near it; "the banks of
    # the river" asked for: its edge (the water, as "the riverbank" is)
    (r"\b(?:(on|at|along)|(near|beside|by|next\s+to|close\s+to))\s+(?:(?:the|both|either|each)\s+)?"
     r"(?:banks?|shores?|shorelines?)\s+of\b", lambda m: " along " if m.group(1) else
     f" {m.group(2)} "),
    (r"^\s*(?:the\s+|both\s+)?(?:banks?|shores?|shorelines?)\s+of\s+(?:the\s+|a\s+)?(?:river|lake|"
     r"sea|canal|stream|creek|pond|reservoir|lagoon)s?\b", " the riverbank "),
    (r"\b(?:on|at|in|along) (?:(?:the|an?|any|this|that) )?(" + _EDGES + r")(?=\W|$)",
     r" along the \1 "),
    (rf"\balong the ({_SIDES})\b(?!\s+(?:{_NAMES}))",
     lambda m: f" along the {lx.SIDE_WORDS[m.group(1).lower()]} "),
    # "buildings with roofs larger than 100 m2", "trees whose crowns are wider than 10 m":
    # seen from above, the roof or the crown is the object, and the measure is its own
    (r"\b(?:with|that\s+have|having|whose)\s+(?:an?\s+|its\s+|their\s+)?(?:roofs?|rooftops?|"
     r"crowns?|canopy|canopies|tops?)\s+(?:(?:is|are|of)\s+)?(?=(?:larger|bigger|smaller|wider|"
     r"narrower|longer|shorter|greater|more|less|over|under|above|below|at|between|exceeding|"
     r"<|>|≤|≥)\b|[<>≤≥])", " "),
    # "rooftop pools", "rooftop gardens": on the roofs
    (rf"\broof[\s-]?top\s+((?:{_NAMES})(?:e?s)?)\b", r" \1 on the rooftops "),
    # "the school building", "office buildings": the buildings (a use is not seen from above)
    (rf"\b(?:{_BUILDING_NAMES})\s+(?=buildings?\b)", " "),
    # "buildings at (of) the school", "the school's buildings", "the houses of the gas
    # station": the buildings (its own, which one image does not tell from its neighbours')
    (rf"\b((?:{_BUILT})s?)\s+(?:at|of)\s+(?:the|a|an|this|that)\s+(?:[^\W\d_]+\s+)?"
     rf"(?:{_USES})s?\b", r" \1 "),
    (rf"\b(?:{_USES})'s\s+(?=(?:{_BUILT})s?\b)", " "),
    # "the school parking lot", "the parking lot of the hospital", "the school's parking lot",
    # "the garden of the largest house": the parking lot (garden) next to the building, said
    # as a clause so that an anchor keeps it ("cars in the parking lot of the school" are
    # on that parking lot; the cars were next to the school)
    (rf"\b(?:the\s+)?({_USES})(?:s|'s)?\s+({_PARKING})\b", r" the \2 that is next to the \1 "),
    (rf"\b({_PARKING}|{_OWNED_GROUND})\s+(?:of|at|belonging\s+to)\s+(the|a|an|each|every)\s+"
     rf"((?:[^\W\d_]+\s+){{0,2}}?(?:{_USES}|{_BUILDING_NAMES}|building))(?:e?s)?\b",
     r" \1 that is next to \2 \3 "),
    (rf"\bthe\s+((?:[^\W\d_]+\s+)?(?:{_BUILDING_NAMES}|building))'s\s+({_PARKING}|"
     rf"{_OWNED_GROUND})\b", r" the \2 that is next to the \1 "),
    # "the loneliest house", "the most remote building": the most isolated
    (r"\b(?:loneliest|remotest|most\s+remote|most\s+secluded|most\s+solitary)\b",
     " most isolated "),
    # "houses set back 20 m from the road": more than that from it
    (r"\bset back (\d+(?:\.\d+)?\s*[^\W\d_]+) from\b", r" more than \1 from "),
    # "the house on the corner (of the street)", "corner buildings": at the road's junction
    # ("the corner of the image" is a part of it)
    (r"\b(?:on|at) (?:the |a )?(?:street |road )?corners?(?: of (?:the |a |two )?(?:roads?|streets?"
     r"|intersection|junction))?\b(?! of)", " at the streetcorner "),
    (r"\bcorner (buildings?|houses?|shops?|lots?|plots?)\b", r" \1 at the streetcorner "),
    # "buildings larger than their neighbours", "houses bigger than the buildings around
    # them", "trees smaller than the nearby trees": against those near each (relation_rules'
    # "than neighbouring"; "than the cars around them": the cars near each)
    (rf"\b({_COMPARED})\s+than\s+(\d+(?:\.\d+)?\s+times\s+)?"
     rf"(?:(?:all|each|any|every\s+one)\s+(?:of\s+)?)?"
     rf"(?:(?:their|its|the)\s+)?(?:(?:(?:nearest|closest|immediate|direct)\s+)?neighbou?rs?\b"
     rf"|(?:neighbou?ring|nearby|surrounding|adjacent)\s+(?:ones\b|others\b|{_NEIGHBOURS})"
     rf"|(?:ones|others|those|{_NEIGHBOURS})\s+(?:(?:around|near|next\s+to|beside|close\s+to)"
     r"\s+(?:them|it)|nearby|around)\b)",
     lambda m: f" {m.group(1)} than {m.group(2) or ''}neighbouring "
               f"{m.group(3) or m.group(4) or 'ones'} "),
    # "the tree standing alone", "houses that stand on their own": far from the others
    # ("a car parked alone", "the tree on its own in the field": the same)
    (r"\b(?:that\s+|which\s+)?(?:(?:stands?|standing|sits?|sitting|is|are|parked|placed|"
     r"located|lying)\s+)?(?:all\s+)?(?:alone|on\s+(?:its|their)\s+own|by\s+(?:itself|"
     r"themselves))\b", " far from each other "),
    # "buildings near no trees", "houses next to no road": not near any
    (r"\b(near|next\s+to|beside|close\s+to|along|alongside|adjacent\s+to)\s+no\b(?!\s+more)",
     r" not \1 any "),
    # "riparian vegetation", "riverine trees": along the river
    (r"\b(?:riparian|riverine)\s+([^\W\d_]+)", r" \1 along the river "),
    # "dead-end streets", "dead end roads": the dead ends (where the road found stops)
    (r"\bdead[\s-]+end\s+(?:roads?|streets?|lanes?|alleys?|alleyways?)\b", " dead ends "),
    # "the car at the far left (of the image)": the one furthest left, the westernmost
    (r"\b(?:at|on|to|in) the far (left|right|top|bottom|north|south|east|west)"
     r"(?: side| edge| end)?\b", r" furthest \1 "),
    # "the most northern building", "the most westerly tree": the northernmost, ...
    (r"\bmost\s+((?:north|south)?(?:east|west)|north|south)(?:ern|erly)\b", r" \1ernmost "),
    # "the bottom-most building", "the top car", "the top left house" ("top left house" as
    # typed fast): the southernmost, the northernmost, the northwesternmost ("the top 5", "the
    # top of the image" and a region, "cars in the top left", are no rank)
    (r"\b(top|upper|bottom|lower|left|right)[\s-]+most\b", r" \1most "),
    (r"(?<!\bin )(?<!\bat )(?<!\bon )(?<!\bof )(?<!\bto )(?<!\bnear )(?<!\bfrom )"
     rf"(?:\bthe\s+|^\s*)(top|bottom)(?:[\s-]+(left|right))?\s+(?=(?:{_NAMES})s?\b)",
     lambda m: " the " + {"top": "north", "bottom": "south"}[m.group(1).lower()]
     + {"left": "west", "right": "east", None: ""}[m.group(2) and m.group(2).lower()]
     + "ernmost "),
    # "the left building", "the upper car": of one, the westernmost, the northernmost; "the
    # left buildings": those in the left of the image
    (r"(?<!\bin )(?<!\bat )(?<!\bon )(?<!\bof )(?<!\bto )(?<!\bnear )(?<!\bfrom )"
     rf"(?:\bthe\s+|^\s*)(left|right|upper|lower)\s+((?:{_NAMES})s?)\b",
     lambda m: (f" the {lx.singular(m.group(2).lower())} in the "
                f"{_SIDE_OF[m.group(1).lower()][0]} of the image "
                if lx.singular(m.group(2).lower()) != m.group(2).lower() else
                f" the {_SIDE_OF[m.group(1).lower()][1]} {m.group(2)} ")),
    # "the most central building": the one whose centre is nearest the extent's
    (r"\bmost (?:central|centrally located|centrally placed)\b", " centremost "),
    # "the houses next the river", "the more largest building": as a learner of English
    # types "next to", "the largest"
    (r"(?<!\bthe )\bnext\s+(?=(?:the|a|an)\s)", " next to "),
    (r"\b(?:more|most)\s+(?=(?:[^\W\d_]+est)\b)(?![^\W\d_]*west\b)(?!(?:forest|interest|honest)\b)",
     " "),
    # "houses at right angles to the road" ("at right" is no part of the image here)
    (r"\bat (?:a )?right angles? (?:to|with)\b", " perpendicular to "),
    # "parking lots containing cars", "the lot that contains 3 cars": with them
    (r"\b(?:(?:that|which)\s+contains?|containing|(?:that|which)\s+holds?|holding)\b", " with "),
    # ("trees along the road leading to the village": the road's, as "that leads" is)
    (rf"\b((?:{_ROAD_NAMES}|{_PATH_NAMES})s?)\s+(?=(?:leading|connecting|linking)\s+(?:in)?to\b)",
     r"\1 that "),
    # "roads connecting the (two) villages", "the road which links the houses", "the road
    # that goes to the river": a way that reaches them, as "leading to" (after a way's name)
    (rf"\b((?:{_ROAD_NAMES}|{_PATH_NAMES})s?)\s+(?:(?:that|which)\s+)?(?:(?:connect|link|join)"
     rf"(?:s|ing)?(?!\s+(?:to|with|up)\b)(?:\s+(?:the\s+)?(?:two|both)(?:\s+of\s+the)?(?=\s)"
     rf"(?!\s+(?:[^\W\d_]+est|most|least)\b))?|"   # ("the two largest buildings": counted)
     rf"(?:go(?:es|ing)?|run(?:s|ning)?)\s+(?:(?:down|up)\s+)?(?:in)?to)\b", r" \1 that touching "),
    # "roads that end at the river", "the road ending in the parking lot", "paths that stop at
    # the lake": a way that ends there reaches it ("road ends at the river" stays the ends)
    (rf"\b((?:{_ROAD_NAMES}|{_PATH_NAMES})s?)\s+(?:(?:(?:that|which)\s+)?(?:end(?:ing)?|"
     rf"stop(?:ping)?|terminat(?:e|ing)|finish(?:ing)?|dead[\s-]?end(?:ing)?)|(?:that|which)\s+"
     rf"(?:ends|stops|terminates|finishes|dead[\s-]?ends))\s+(?:at|in|by|on)\b",
     r" \1 that touching "),
    # "the bridge over the river", "bridges across the canal": a bridge is where a road
    # crosses water already (relations.bridges); the water said again added nothing
    (rf"\b(bridges?)\s+(?:(?:that\s+|which\s+)?(?:goes|go|going|runs|run|running|passes|pass|"
     rf"passing)\s+)?(?:over|across|spanning|crossing)\s+(?:the\s+|a\s+)?(?:{_WATER_KINDS}|"
     rf"water|stream|river)s?\b", r" \1 "),
    # "the bridge over the road (highway)": an overpass, a road over a road
    (rf"\bbridges?\s+(?:over|across|spanning|crossing)\s+(?:the\s+|a\s+)?(?:{_ROAD_NAMES})s?\b",
     " overpass "),
    # "the intersection of two roads", "the junction of the roads": the junction; "where two
    # roads meet (cross)": at it
    (rf"\b(intersections?|junctions?|crossings?|crossroads?)\s+(?:of|between)\s+(?:the\s+)?"
     rf"(?:two\s+|2\s+|both\s+|several\s+|three\s+|3\s+)?(?:main\s+)?(?:{_ROAD_NAMES})s\b",
     r" \1 "),
    (rf"\bwhere\s+(?:the\s+)?(?:two\s+|2\s+|three\s+|3\s+|several\s+)?(?:{_ROAD_NAMES})s\s+"
     r"(?:meet|cross|intersect|join|converge)\b", " at the intersection "),
    (rf"\b(overpass(?:es)?|flyovers?)\s+(?:over|across|spanning|crossing)\s+(?:the\s+|a\s+)?"
     rf"(?:{_ROAD_NAMES})s?\b", r" \1 "),   # "the overpass over the highway": the overpass
    # "roads leading to the building", "the road that connects to the bridge": a way that
    # reaches an object touches it (:data:`~.lexicon.TOUCH_WORDS`)
    # "the path (leading) from the house to the road", "roads that run from the village to the
    # river": it touches both; "roads leading out of (away from) the village": it touches it
    (rf"\b((?:{_ROAD_NAMES}|{_PATH_NAMES})s?)\s+(?:(?:that|which)\s+)?(?:(?:lead|run|go|"
     r"connect)(?:s|es|ing|ning)?\s+)?from\s+(?!(?:the\s+)?(?:top|bottom|left|right|upper|lower|"
     rf"one|{_COMPASS})\b)((?:the\s+|a\s+|an\s+)?(?:[^\W\d_]+\s+){{0,2}}?"
     r"[^\W\d_]+)\s+(?:up\s+)?to\s+(?=(?:the|a|an)\b)", r" \1 touching \2 and touching "),
    (r"\b((?:that|which)\s+)?(?:lead(?:s|ing)?|connect(?:s|ed|ing)?|link(?:s|ed|ing)?)"
     r"\s+(?:(?:(?:down|up)\s+)?(?:in)?to|out\s+of|(?:away\s+)?from)\b", r" \1touching "),
    # "the road to the river": a way that leads there touches it; only as the object asked
    # for ("cars on the road to the river" would put the cars at the river: an anchor takes
    # a relation after its name only in a clause, "the road that leads to the river"); not
    # before a direction ("the road to the north of the image", "to the left of the building")
    (rf"^\s*((?:{_DETERMINER}\s+)?(?:{_ROAD_NAMES}|{_PATH_NAMES})s?)\s+to\s+(?=(?:the|a|an)\b)"
     rf"(?!(?:the|a|an)\s+(?:{_COMPASS}|left|right|top|bottom|upper|lower)\b)", r" \1 touching "),
    # traffic is the vehicles on a road: "roads with heavy traffic" have many, "with light
    # traffic" few, "without traffic" none; "busy roads" have many; "the busiest road" is the
    # one with the most
    (r"\bcarrying\s+(?=(?:(?:heavy|dense|busy|light|little|sparse|no|much|any)\s+)?traffic\b)",
     " with "),   # "roads carrying heavy traffic": with many vehicles
    (r"\b(?:heavy|dense|busy)\s+traffic\b", " many vehicles "),
    (r"\b(?:light|little|sparse)\s+traffic\b", " few vehicles "),
    (r"\b(with|without|no|any)\s+traffic\b", r" \1 vehicles "),
    (r"\b(?:the\s+)?(most|least|fewest)\s+traffic\b",   # "the road with the most traffic"
     lambda m: " the most vehicles " if m.group(1).lower() == "most" else " the fewest vehicles "),
    # "which parking lot is the fullest", "the road that is the busiest": the fullest lot
    (rf"\b((?:{_ROAD_NAMES})s?|{_PARKING})\s+(?:(?:that|which)\s+)?(?:is|are)\s+(?:the\s+)?"
     rf"(busiest|fullest|emptiest|quietest|(?:most|least)\s+(?:congested|crowded|busy|full|"
     rf"packed|occupied))\b", r" the \2 \1 "),
    (rf"\b(?:the\s+)?(?:busiest|fullest|most\s+(?:congested|crowded|busy|full|packed|"
     rf"occupied))\s+((?:{_ROAD_NAMES})s?|{_PARKING})\b", r" the \1 with the most vehicles "),
    # "the emptiest parking lot", "the quietest road": the one with the fewest
    (rf"\b(?:the\s+)?(?:emptiest|quietest|least\s+(?:congested|crowded|busy|full|packed|"
     rf"occupied))\s+((?:{_ROAD_NAMES})s?|{_PARKING})\b", r" the \1 with the fewest vehicles "),
    (rf"\b(?:busy|congested|crowded|packed|jammed)\s+((?:{_ROAD_NAMES})s?|{_PARKING})\b",
     r" \1 with many vehicles "),
    # "trees scattered across the field", "dotted around the park": in it ("spread out
    # across the park": far from each other in it)
    (r"\b(?:scattered|dotted|spread|distributed|sprinkled)\s+(?:across|around|over|in|"
     r"throughout|about|all\s+over)\b", " in "),
    (r"\bspread\s+out\s+(?:across|around|over|throughout|about|all\s+over)\b", " spread out in "),
    # "buildings north from the road": north of it; "away from the centre (of the image)":
    # not in it
    (rf"\b({_COMPASS})(?:wards?)?\s+from\b", r" \1 of "),
    (rf"\b(?:away|far)\s+from\s+the\s+(?=(?:centre|center|middle)\b(?!\s+of\s+(?:the\s+|an?\s+)?"
     rf"(?:{_ANY_NAMES})))", " not in the "),
    (r"\b18[\s-]*wheeler(s?)\b", r" eighteen wheeler\1 "),   # a truck
    # "cars in pairs", "pairs of trees": in groups of 2
    (r"\bin\s+pairs\b", " in groups of 2 "), (r"\bpairs\s+of\b", " groups of 2 "),
    # "the pair of buildings nearest to each other", "the two buildings closest together": the
    # 2 closest to each other
    (r"\bthe\s+pair\s+of\b", " the 2 "),
    (r"\b(closest|nearest)\s+together\b", r" \1 to each other "),
    # "quiet streets" have few, "deserted roads" none
    (rf"\b(?:quiet|calm)\s+((?:{_ROAD_NAMES})s?)\b", r" \1 with few vehicles "),
    (rf"\b(?:deserted|vacant)\s+((?:{_ROAD_NAMES})s?)\b", r" \1 without vehicles "),
    # a traffic jam is vehicles in a row on the road: "a traffic jam", "cars stuck in traffic"
    (r"^\s*(?:an?\s+|the\s+)?traffic\s+(?:jams?|congestion|queues?|tailbacks?|backups?)\b",
     lambda m: " vehicles in a row " + ("" if re.match(r"\s+(?:on|in|along|at)\b",
                                                      m.string[m.end():]) else "on the road ")),
    (r"\b(?:(?:stuck|caught|waiting|queuing|queueing)\s+)?in\s+(?:an?\s+|the\s+)?"
     r"(?:traffic\s+(?:jams?|congestion|queues?|tailbacks?|backups?)|traffic)\b(?!\s+(?:lights?|"
     r"signals?|islands?|circles?|lanes?)\b)", " in a row on the road "),
    # "roads with no cars", "with zero cars", "with exactly 0 cars": with none, which is
    # without the one thing named ("with no pool and a garden" has the garden; "with no more
    # than 2 cars" is a count)
    (r"\bwith\s+(?:exactly\s+|precisely\s+)?(?:no|zero|0)\b(?!\s+(?:more|fewer|less)\b)",
     " with none "),
    # "a parking lot full of cars": with many; "with many cars", "near a few trees": the
    # count each vague quantity is read as (:data:`~.lexicon.VAGUE_COUNTS`)
    (rf"\b(?:{_CROWDED})\b", " with many "),
    (rf"\b(with|near|beside|next to|close to|along|alongside|around|by|have|has|having|"
     rf"holding)\s+(?:{_VAGUE})\b(?=\s+[^\W\d_])",
     lambda m: f" {m.group(1)} {lx.VAGUE_COUNTS[lx.as_phrase(m.group(0)[len(m.group(1)):])]} "),
    # ... elsewhere, before the objects asked for ("several cars", "lots of trees"): a count
    # of them restricts nothing, every one is found (as "many cars", a filler)
    (rf"(?<![^\s(])(?:{_VAGUE})\b(?=\s+[^\W\d_])", " "),
    # "roofs covering more than 100 m2", "a plot occupying about 500 m2": a verb of extent
    # before a measure says no more than the measure ("covering an area of": with one);
    # "exceeding 300 m2" is more than it
    (rf"\b{_EXTENT_VERBS}\s+an?\s+(?=(?:area|surface|footprint)\b)", " with an "),
    (rf"\b{_EXTENT_VERBS}\s+(?=(?:more|less|over|under|above|below|at|about|around|"
     r"approximately|roughly|nearly|almost|up|no|between)\b|\d)", " "),
    (r"\b(?:exceed(?:s|ing)?|in excess of)\s+(?=(?:about|around|roughly|approximately)\b|\d)",
     " more than "),
    # "houses set back more than 10 m from the road": more than 10 m from it
    (r"\bset\s+back\s+(?=(?:more|less|over|under|at\s+least|at\s+most)\b|\d)", " "),
    # "30 m wide roads", "a 10-metre-long truck", "500 m2 buildings": the measure after the
    # name, where the parser reads it ("roads 30 m wide": about it); "the building's roof",
    # "house roofs": the building, as seen from above
    (rf"\b(\d+(?:\.\d+)?\s*-?\s*(?:m|metres?|meters?|ft|feet)\s*-?\s*(?:wide|long)|"
     rf"\d+(?:\.\d+)?\s*(?:m2|m²|sq\s*m|sqm|square\s+met(?:re|er)s?|ha|hectares?))\s+"
     rf"((?:{_NAMES})(?:e?s)?)\b", _measure_after),
    (rf"\b((?:building|{_BUILDING_NAMES})(?:e?s)?)(?:'s|')?\s+(?:roofs?|rooftops?|roof\s+tops?)\b",
     r" \1 "),
    # "T-junctions", "Y-intersections": junctions
    (r"\b[ty][\s-]+(junctions?|intersections?)\b", r" \1 "),
    # a measure in a table's terms right after the name: "buildings, area > 100", "roads;
    # width > 6 m", "building footprint area between 50 and 100", "trees dist < 5 m from
    # road": with it (they went whole)
    (r"\bdist\b(?=\s*(?:[<>=≤≥]|to\b|from\b))", " distance "),
    (rf"\b((?:{_NAMES})(?:e?s)?)\s*[,;:]?\s+(?=(?:footprint\s+|crown\s+)?(?:area|length|width|"
     r"diameter|distance)\s*(?:[<>=≤≥]|(?:between|is|of|over|under|more|less|greater|smaller|"
     r"larger|bigger|above|below|to|from)\b))", r" \1 with "),
    (rf"\b(?=[^\W\d_]+\s+(?:and|where)\s+(?:area|length|width|diameter)\s*[<>=≤≥])"
     rf"((?:{_NAMES})(?:e?s)?)\s+(?:and|where)\s+(?=(?:area|length|width|diameter)\s*[<>=≤≥])",
     r" \1 with "),   # "class = 'building' and area > 100": a query's conditions
    # "buildings with centroid inside the parking lot", "cars whose centroid lies on the road":
    # over it (at least half of the object over it, as its centre then mostly is; "on" a road
    # would be an address)
    (r"\b(?:with|whose|having)\s+(?:its\s+|their\s+|a\s+|the\s+)?(?:centroids?|centres?|centers?|"
     r"midpoints?)\s+(?:(?:lies|lie|lying|is|are|falls?|falling|located)\s+)?(?:inside|in|within|"
     r"on)\b(?!\s+(?:[\d.]|(?:a|an|one|two|three|four|five|ten|twenty|fifty|a\s+hundred)\s))",
     " over "),
    # "buildings with centroid within 100 m of the river", "building centroids more than 50 m
    # from the road": the distance of the object (its centre lies at most half its size
    # farther)
    (r"\b(?:(?:with|whose|having)\s+(?:its\s+|their\s+|a\s+|the\s+)?)?(?:centroids?|centres?|"
     r"centers?|midpoints?)\s+(?:(?:lies|lie|lying|is|are|falls?|falling|located)\s+)?"
     r"(?=(?:within|more\s+than|less\s+than|over|under|at\s+least|at\s+most|beyond)\s+[\d.])",
     " "),
    # "cars of length 4-5 m", "roads of width over 6 m": with that length (width)
    (r"\bof\s+(length|width|diameter)\s+(?=(?:over|under|more|less|above|below|between|about|"
     r"around|approximately|roughly|at|up|~|[<>≤≥]|\d))", r" with a \1 of "),
    # "each and every building", "as many trees as possible", "hundreds (thousands) of trees"
    # as the objects asked for: every one of them
    (r"^\s*each\s+and\s+every\b", " every "),
    # (a vague count before has left "as trees as possible")
    (rf"\bas\s+(?:many\s+)?((?:[^\W\d_]+\s+)?(?:{_NAMES})(?:e?s)?)\s+as\s+possible\b", r" \1 "),
    (r"\bas\s+(?:many\s+)?as\s+possible\b", " "),
    (r"^(\s*(?:(?:the|all)\s+)?)(?:hundreds|thousands)\s+of\b", r"\1 "),
    # "the set of buildings near the road", "a list of houses": the buildings, the houses
    (r"\b(?:the|a)\s+(?:set|collection|list)\s+of\b", " the "),
    # "cars with the colour red", "whose colour is white", "where color = red": red ones;
    # "where colour != red", "with colour <> red", "whose colour is not red": not red ones
    (r"\b(?:with|of|in|where|whose|having)\s+(?:an?\s+|the\s+)?colou?r\s*(?:!=|<>|≠|(?:is\s+)?not|"
     rf"isn't)\s*(?=(?:(?:light|dark|pale|bright)\s+)?(?:{_COLOUR_NAMES})\b)",
     " that are not "),
    (r"\b(?:with|of|in|where|whose|having)\s+(?:an?\s+|the\s+)?colou?r\s*(?:(?:==?|:|is|"
     rf"equals|of)\s*)?(?=(?:(?:light|dark|pale|bright)\s+)?(?:{_COLOUR_NAMES})\b)",
     " that are "),
    # "buildings != red", "cars <> white": not that ("!=" was dropped: the red ones); "class
    # != building": everything else
    (r"^\s*(?:class|type|category|label|kind)\s*(?:!=|<>|≠)\s*", " everything except "),
    (r"\s*(?:!=|<>|≠)\s*", " that are not "),
    # "at a distance greater than 50 m from the river": more than 50 m from it; "with a
    # distance to the road of less than 20 m", "whose distance to the road is under 30 m":
    # within that of it
    (r"\bat\s+a\s+distance\s+(?:of\s+)?(?:(greater|larger|higher|bigger)|smaller|lower|"
     r"shorter)\s+than\b", lambda m: " more than " if m.group(1) else " less than "),
    # (as a query is typed too: "where distance_to_road < 20 m")
    (rf"\b(?:with(?:\s+an?)?|whose|having(?:\s+an?)?|(?:where|and)(?:\s+the)?)\s+distance[\s_]+"
     rf"(?:to|from)[\s_]+((?:the[\s_]+|an?[\s_]+)?[^\W\d_]+)\s*(?:(?:of|is|that\s+is)\s+)?"
     rf"({_DISTANCE_SIDES}|[<>≤≥]=?)\s*(\d+(?:\.\d+)?)\s*([^\W\d_]+)\b",
     lambda m: _distance_is(m.group(1).replace("_", " "), _SIDE_SIGNS.get(m.group(2), m.group(2)),
                            m.group(3), m.group(4))),
    # ("with distance < 5 m from the road", "trees dist < 5 m from road": the anchor after)
    (rf"\b(?:with(?:\s+an?)?|whose|having(?:\s+an?)?|(?:where|and)(?:\s+the)?)\s+distance\s*"
     rf"(?:(?:of|is)\s+)?({_DISTANCE_SIDES}|[<>≤≥]=?)\s*(\d+(?:\.\d+)?)\s*([^\W\d_]+)\s+"
     r"(?:from|to|of)\s+((?:the\s+|an?\s+)?[^\W\d_]+)\b",
     lambda m: _distance_is(m.group(4), _SIDE_SIGNS.get(m.group(1), m.group(1)), m.group(2),
                            m.group(3))),
    # "at a minimum (maximum) distance of 30 m from the road": at least (at most) that
    (r"\bat\s+an?\s+(min(?:imum)?|max(?:imum)?)\s+distance\s+of\b",
     lambda m: " at least " if m.group(1).lower().startswith("min") else " at most "),
    # "houses a maximum of 30 m from the road", "a minimum of 3 cars": at most (least) that
    (r"\b(?:at\s+)?an?\s+(min(?:imum)?|max(?:imum)?)\s+of\s+(?=\d)",
     lambda m: " at least " if m.group(1).lower().startswith("min") else " at most "),
    # "at a distance of 50 m from the road": 50 m from it; "a stone's throw from": near it
    (r"\b(?:at|within|with)\s+a\s+distance\s+of\s+(?=(?:more|less|over|under|at|about|around|"
     r"approximately|roughly|up|no|between)\b|\d)", " "),
    (r"\b(?:(?:with)?in\s+)?a\s+stone'?s\s+throw\s+(?:away\s+)?(?:of|from)\b", " near "),
    # "buildings at 50 m from the road": 50 m from it
    (rf"\bat\s+(?=(?:(?:about|around|approximately|roughly)\s+)?\d+(?:\.\d+)?\s*(?:{_UNITS})"
     r"\s+(?:from|of|away)\b)", " "),
    # "roads hidden by trees", "buildings partly covered by trees": seen from above, the mask
    # of what is hidden stops where the crown begins, so they touch (as "trees overhanging
    # the road"); "shaded by" is in its shade
    (r"\b(?:(?:partly|partially|mostly|largely|half)\s+(?:hidden|obscured|concealed|covered)|"
     r"hidden|obscured|concealed)\s+(?:by|under)\b", " touching "),
    # "houses a long way from the water": far from it
    (r"\ba\s+long\s+way\s+(?:away\s+)?from\b", " far from "),
    # "buildings with frontage on the main road", "plots with road frontage": next to it
    (r"\bwith\s+(?:an?\s+)?(?:(?:road|street)\s+)?frontage\s+(?:on|onto|to|along)\b",
     " next to "),
    (r"\bwith\s+(?:an?\s+)?(?:road|street)\s+frontage\b", " next to the road "),
    # "partly surrounded by trees": next to them ("mostly (almost) surrounded by": surrounded)
    (r"\b(?:partly|partially|half)\s+(?:surrounded|enclosed|encircled)\s+by\b", " next to "),
    (r"\b(?:mostly|largely|almost|nearly|mainly)\s+(?=(?:surrounded|enclosed|encircled)\s+by\b)",
     " "),
    # "trees hiding the buildings", "trees obscuring the road": the other way round, the same
    (r"\b(?:(?:partly|partially|mostly|largely)\s+)?(?:hiding|obscuring|concealing)\b",
     " touching "),
    (r"\b(?:(?:partly|partially|mostly|largely|half)\s+)?shaded\s+by\b", " in the shade of "),
    # "buildings less than 5 m apart": within 5 m of each other; "at least 20 m apart": more
    (r"\b(?:less than|under|within|closer than|no more than|at most|up to|<|≤)\s*"
     r"(\d+(?:\.\d+)?)\s*([^\W\d_]+)\s+apart\b", r" within \1 \2 of each other "),
    (r"(?:\bat least|\bmore than|\bover|\bfurther than|\bfarther than|>|≥)\s*"
     r"(\d+(?:\.\d+)?)\s*([^\W\d_]+)\s+apart\b", r" more than \1 \2 from each other "),
    # "with no neighbours within 10 m": a neighbour is another of its kind
    (r"\b(?:(?:with|having|that have)\s+(?:no|none)|without)\s+(?:other\s+)?neighbou?rs?"
     r"\s+within\s+(\d+(?:\.\d+)?)\s*([^\W\d_]+)\b", r" more than \1 \2 from each other "),
    # "houses whose nearest road is more than 50 m away", "... is within 20 m", "whose
    # closest tree is less than 5 m away": from (of) the objects named; "whose nearest
    # neighbour is at least 30 m away": from the others of its kind
    (rf"\bwhose\s+(?:nearest|closest)\s+(neighbou?r|(?:{_ANY_NAMES})(?:e?s)?)\s+is\s+"
     r"(more\s+than|less\s+than|at\s+least|at\s+most|over|under|within|beyond)\s+"
     r"(\d+(?:\.\d+)?)\s*([^\W\d_]+)(?:\s+away)?\b",
     lambda m: _distance_is("each other" if m.group(1).lower().startswith("neighbo")
                            else f"the {m.group(1)}", m.group(2), m.group(3), m.group(4))),
    # "with more than 3 neighbours within 20 m", "with many neighbours nearby", "without
    # neighbours": the objects of its kind (the first named) had ("... with more than 3
    # buildings within 20 m"); a count before "other" or "neighbouring" counts the same
    # objects ("with at least 3 other buildings nearby": never itself anyway)
    (rf"\b((?:with|having|has|have|without)\s+(?:{_COUNT_WORDS}\s+){{0,4}})(?:other\s+)?"
     r"neighbou?rs?\b", _neighbours_had),
    (rf"(?<!\bthe\s)\b((?:\d+|an?|no|none|any|some|many|several|few|multiple|numerous|"
     rf"{_either(lx.NUMBER_WORDS)})\s+)(?:other|neighbou?ring|surrounding)\s+"
     rf"(?=(?:{_ANY_NAMES})(?:e?s)?\b)", r"\1"),
    # "buildings facing each other across the road": across it from each other
    (r"\b(?:facing|opposite)\s+(?:each\s+other|one\s+another)\s+(across|over)\s+"
     r"(the\s+|a\s+)?([^\W\d_]+)\b", r" \1 \2\3 from each other "),
    # "well away from the road": far from it
    (r"\bwell\s+away\s+from\b", " far from "),
    # "houses far apart", "buildings spaced widely apart": far from each other
    (r"\b(?:spaced\s+)?(?:far|widely|well)\s+apart(?:\s+from\s+(?:each\s+other|one\s+another))?\b",
     " far from each other "),
    # "the densest cluster of houses": the cluster of the most houses (the plan says largest)
    (r"\b(?:densest|most dense|tightest|most crowded)\s+(?=(?:clusters?|groups?)\b)",
     " largest "),
    (r"\b(?:densest|most dense|most crowded)\s+(?:areas?|parts?|regions?|concentrations?)\s+of\b",
     " largest cluster of "),   # "the densest area of buildings"
    # "a dense cluster of cars", "isolated clusters of buildings": a cluster (its members are
    # near each other, and nothing else is that near it)
    (r"\b(?:dense|tight|compact|isolated|separate|distinct)\s+(?=(?:clusters?|groups?)\s+of\b)",
     " "),
    # "above-average size", "of below average size": against the category's mean
    (r"\b(?:of )?above[- ]average(?:[- ]sized?)?\b", " larger than average "),
    (r"\b(?:of )?below[- ]average(?:[- ]sized?)?\b", " smaller than average "),
    # "red cars and white ones", "the largest building and the 2 smallest ones": "ones" is the
    # name again (a filler elsewhere, it made "white" a second colour of the same cars)
    # "the largest building and its neighbours", "the tree closest to the road and its
    # neighbouring trees": and the objects of its kind (the first named) next to it
    (rf"\band\s+(its|their)\s+(?:(?:immediate|direct|nearest|closest)\s+)?(?:neighbou?rs\b|"
     rf"neighbou?ring\s+(?:ones\b|(?:{_ANY_NAMES})(?:e?s)?\b))", _neighbours),
    (rf"\b(?=[^\W\d_]+(?:\s+[^\W\d_]+){{0,2}}\s+(?:and|or|but)\s)((?:{_ANY_NAMES})(?:e?s)?)"
     rf"(\s+(?:and|or|but\s+not)\s+"
     rf"(?:(?!(?:{_ANY_NAMES}|with|without|only|exactly)\b)[^\W_]+\s+){{0,3}}?)ones?\b"
     rf"(?!\s+(?:{_ANY_NAMES}))", r"\1\2\1"),
    # "We are assessing flood damage. Show houses ...", "After the storm, find trees ...":
    # a sentence (a clause) before the request that names no object is its setting
    (r"^([^.;!?]*)[.;!?]\s+(?=(?:please\s+)?(?:show|find|mark|map|count|outline|highlight|"
     r"select|extract|detect|identify|locate|give|list|get|(?:i|we)\s+(?:need|want))\b)",
     _a_setting),
    (r"^\s*((?:after|before|during|following|since)\s+[^,.;]*),\s*", _a_setting),
    # "First find the river, then the buildings along it": the river and the buildings
    (r"^\s*first(?:\s+of\s+all)?,?\s+", " "),
    (r"\s*,?\s*(?:and\s+)?then\s+(?:(?:find|show|mark|get|select|locate)(?:\s+me)?\s+)?"
     r"(?=the\b|all\b)", " and "),
    # "trees near buildings (within 5m)": within that of them; "the red car (the one near the
    # bus)": the car that is near it
    (rf"\b(?:near|next\s+to|along|around|close\s+to|beside|by)\s+((?:the\s+)?(?:[^\W\d_]+\s+)"
     rf"{{0,2}}?(?:{_ANY_NAMES})(?:e?s)?)\s*\(\s*(?:within\s+|<\s*|up\s+to\s+)?(\d+(?:\.\d+)?\s*"
     r"(?:m|metres?|meters?|km|ft|feet))\s*\)", r" within \2 of \1 "),
    (r"\(\s*(?:the|those)\s+ones?\s+(?=(?:that|which|near|next|on|in|along|by|beside|at|"
     r"closest|nearest|with|north|south|east|west)\b)", " that is "),
    # "I need the roofs. Only the red ones.", "buildings, just the big ones", "Buildings. Big
    # ones.": the red roofs, of the objects first named (a second reading of all of them had
    # kept every roof; "buildings near the road. only the large ones" are large buildings)
    (rf"\b((?:{_ANY_NAMES})(?:e?s)?)\s*[.,;:!]?\s*(?:but\s+)?(?:only|just)\s+(?:the\s+)?"
     r"((?:[^\W\d_]+\s+){1,2}?)ones\b", _only_these),
    (rf"\b((?:{_ANY_NAMES})(?:e?s)?)\s*[.;:!]\s*(?:the\s+)?((?:[^\W\d_]+\s+){{1,2}}?)ones"
     r"\s*[.!]*\s*$", _only_these),
    # "buildings next to the largest one", "the car behind the red one", "the house between
    # the two large ones": "one" is the name before it again, as an anchor
    (rf"\b(?:the|a|an|another|this|that|these|those|any|some)\s+(?:(?!(?:{_ANY_NAMES}|with|"
     rf"without|only|exactly|each|other|"
     rf"and|or)\b)[^\W_]+\s+){{0,3}}?(ones?)\b(?!\s+(?:{_ANY_NAMES}|of)\b)", _name_again),
    # "darker than average buildings", "the bigger-than-usual houses": the comparison after
    # the name, where the parser reads it ("buildings darker than average"; not "buildings
    # bigger than the average house", a comparison with the average house)
    (rf"^(\s*(?:(?:all\s+)?the\s+|all\s+)?)((?:{_COMPARED})[\s-]+than[\s-]+(?:the[\s-]+)?"
     rf"(?:average|mean|usual|normal|typical))\s+((?:{_NAMES})(?:e?s)?)\b", r"\1 \3 \2 "),
    # "buildings with a large footprint", "large-footprint buildings": large ones; seen from
    # above a roof or a crown is the object ("houses with large roofs", "trees with small
    # crowns"; "the tree with the largest crown" is ranked by its area)
    (rf"\bwith (?:a |an )?({_AREA_SIZES})[- ](?:footprints?|areas?|surfaces?|roofs?|rooftops?|"
     r"crowns?|canop(?:y|ies))\b", r" of \1 size "),
    (r"\b((?:with|having|(?:that|which)\s+ha(?:s|ve)|whose)\s+(?:the\s+)?(?:\d+\s+)?"
     r"(?:largest|biggest|smallest|widest|narrowest))\s+(?:crowns?|canop(?:y|ies))\b",
     r" \1 footprint "),
    (r"\bwhose\s+(?:crowns?|canop(?:y|ies))\s+(?=(?:is|are)\s+(?:the\s+)?(?:\d+\s+)?(?:largest|"
     r"biggest|smallest|widest|narrowest)\b)", " whose footprint "),
    (rf"\b({_AREA_SIZES})[- ]footprints?\b(?=\s+[^\W\d_])", r" \1 "),
    # "buildings with an irregular shape", "of complex shape", "irregular in outline": the
    # shape said ("complex" is irregular only of a shape: "a housing complex" is buildings)
    (r"\bcomplex(?=[\s-]+(?:shapes?|shaped|outlines?|forms?|footprints?)\b)", "irregular"),
    # "L-shaped buildings", "shaped like an L": not rectangular (the letter said in the plan)
    (_LETTER_SHAPE, " non-rectangular "),
    (r"\btriangular(?:ly)?(?:[\s-]+shaped)?\b", " non-rectangular "),   # "triangular plots"
    # "the building in the shape of a ring (a circle, a square)": ring-shaped (round, square)
    (r"\bin\s+the\s+(?:shape|form)\s+of\s+(?:an?\s+)?(ring|circle|square|rectangle|donut|"
     r"doughnut|star|triangle)\b", lambda m: f" {_SHAPE_OF[m.group(1).lower()]} "),
    (rf"\b(?:with|having|of)\s+(?:an?\s+)?({_either(lx.SHAPE_WORDS)})\s+(?:shapes?|"
     r"outlines?|forms?|footprints?|courses?)\b", r" that are \1 "),
    (rf"\b({_either(lx.SHAPE_WORDS)})\s+in\s+(?:shape|outline|form|plan)\b", r" \1 "),
    # "tree-lined streets": lined with trees
    (r"\b(tree|palm)[- ]lined\s+([^\W\d_]+)", r" \2 lined with \1s "),
    # "cars parked diagonally", "angle parking": at an angle to the road, not to the grid
    (r"\bparked (?:diagonally|obliquely|at an angle)\b(?!\s+(?:to|from|with)\b)",
     " at an angle to the road "),
    (r"\b(?:angle|angled|diagonal) parking\b", " cars at an angle to the road "),
    # "surrounded by trees on all sides": surrounded says it all
    (r"(\bsurrounded\b(?:\s+\S+){0,8}?)\s+on\s+(?:all|every)\s+(?:four\s+)?sides?\b", r"\1 "),
    # "buildings with trees on all sides": surrounded by them
    (r"\bwith\s+((?:[^\W\d_]+\s+){1,3}?)(?:on|around)\s+(?:all|every|each)\s+(?:four\s+|4\s+)?"
     r"sides?\b", r" surrounded by \1 "),
    # "buildings with an inner courtyard": the shape; "trees in the courtyard (of the
    # school)": in a hole of its building
    (r"\bwith (?:an? |inner |central |open |internal )*courtyards?\b", " courtyard "),
    (r"\bwithout (?:an? |inner |central |open |internal )*courtyards?\b", " not courtyard "),
    (r"\bin the (?:centre|center|middle) of (?=(?:the |an? |their |its )?(?:inner |central )?"
     r"courtyards?\b)", " in "),   # "the tree in the centre of the courtyard": in it
    (r"\b(?:in|inside) (?:the |an? |their |its )?(?:inner |central )?courtyards? of\b",
     " in courtyard of "),
    (r"\b(?:in|inside) (?:the |an? |their |its )?(?:inner |central )?courtyards?\b(?! of\b)",
     " in courtyard of buildings "),
    # "semi-detached houses", "free-standing garages", "row houses", "townhouses": joined to
    # others or standing alone (:data:`~.lexicon.OWN_KIND_WORDS`)
    (r"\bsemi[- ]?detached\b", " semidetached "), (r"\bfree[- ]standing\b", " freestanding "),
    (r"\b(?:row|town)[- ]?(house|houses|home|homes)\b", r" terraced \1 "),
    # "cars in dense urban areas", "trees in densely built-up areas": near dense buildings
    # (a settlement is its buildings, :data:`~.lexicon.SETTLEMENT_PLACES`; it was on them)
    (r"\b(?:in|within|inside)\s+(?:the\s+|a\s+)?(dense|sparse)(?:ly)?(?:[\s-]+(?:built[\s-]*up|"
     r"populated|settled|built))?(?:[\s-]+(?:urban|residential))?\s+(?:areas?|zones?|parts?|"
     r"districts?|neighbou?rhoods?|settlements?)\b", r" near \1 buildings "),
    # "densely built houses", "sparsely populated areas": dense, sparse
    (r"\b(dense|sparse)ly(?![\s-]+packed\s+together\b)(?:[\s-]+(?:packed|populated|settled|"
     r"placed|distributed|spaced|built(?![\s-]up)))?\b", r" \1 "),
    (r"\b(?:widely|loosely) (?:spaced|scattered|spread)\b", " sparse "),
    # "tree rows", "house clusters", "car queues": groups of them ("road lines" are a name)
    (rf"\b(?=[^\W\d_]+\s+(?:{'|'.join(sorted(lx.GROUP_NOUNS))})\b)(?!{_GROUP_NAMED}\b)"
     rf"({_NAMES})\s+"
     rf"({'|'.join(sorted(lx.GROUP_NOUNS))})\b", r" \2 of \1 "),
    # "houses close together", "cars packed together": near each other
    (r"\b(?:(?:densely|tightly)\s+)?(?:close|closely|packed|clustered|near|bunched|parked|"
     r"grouped|standing|sitting|gathered|huddled|clumped|lumped) together\b",
     " close to each other "),
    # "5 or more cars close together", "at least three houses close to each other": groups of
    # that many ("3 cars parked together": at least 3 too, as "a group of 3" is)
    (rf"(?<!\bof )\b(?:at\s+least\s+)?(\d+|{_either(lx.NUMBER_WORDS)})(?:\s+or\s+more)?\s+"
     rf"((?:{_NAMES})(?:e?s)?)\s+(?:that\s+are\s+|which\s+are\s+)?close\s+to\s+each\s+other\b",
     r" groups of at least \1 \2 "),
    (r"\bside\s+by\s+side\b", " next to each other "),   # "cars parked side by side"
    (r"\b(?:bumper[\s-]+to[\s-]+bumper|nose[\s-]+to[\s-]+tail)\b", " close to each other "),
    # "houses spread out", "trees spaced out": far from each other
    (r"\b(?:spread|spaced)\s+out\b", " far from each other "),
    # "buildings back to back", "back-to-back houses": touching each other (terraced)
    (rf"\bback[\s-]+to[\s-]+back\s+((?:{_NAMES})(?:e?s)?)\b", r" \1 touching each other "),
    (r"\bback[\s-]+to[\s-]+back\b", " touching each other "),
    (r"\bin\s+(?:a\s+)?single[\s-]+file\b", " in a row "),   # "trucks in single file"
    # "the sharp bend", "a hairpin bend": a bend is sharp (relations.bends)
    (r"\b(?:sharp|tight|blind|hairpin)\s+(?=(?:bends?|curves?)\b)", " "),
    # "straight rows of trees": a row is checked to be straight; "the road that curves",
    # "the river which meanders": its course is curved
    (rf"\bstraight\s+(?=(?:{'|'.join(sorted(lx.LINE_NOUNS))})\b)", " "),
    (r"\b(that|which)\s+(?:curve|meander|wind|bend|twist|snake|zigzag)s?\b",
     r" \1 is curved "),
    # "the road going from the top to the bottom of the image", "the road from top left to
    # bottom right": the compass points of those parts, an axis
    # ("the road in the middle from top to bottom": where it is, then its course)
    (rf"\b((?:{_AXIS_VERBS})|(?:{_ROAD_NAMES}|{_PATH_NAMES}|river|stream|canal)s?)"
     r"((?:\s+(?:in|on|at)\s+the\s+(?:middle|centre|center|left|right|top|bottom)(?:\s+(?:side|"
     rf"part|half))?(?:\s+of\s+the\s+image)?)?(?:\s+(?:{_AXIS_VERBS}))?)\s+from\s+{_IMAGE_PART}"
     rf"\s+to\s+{_IMAGE_PART}",
     lambda m: f" {m.group(1)}{m.group(2)} from {_compass_of(m.group(3), m.group(4))} to "
               f"{_compass_of(m.group(5), m.group(6))} "),
    # "the road running north", "heading east": one way along an axis is that axis ("running
    # north of the river" is a direction to it; "running north-south" the axis itself); a
    # vehicle "facing north", "pointing east", "driving west" too (which end is its front
    # is not told: the parser's plan says so)
    (_VEHICLE_FACING, r" \1 \2oriented "),
    (rf"\b(?:{_AXIS_VERBS}|heading|headed)\s+({_COMPASS})(?:wards?)?\b(?![\s-]*(?:of\b|"
     rf"{_COMPASS}\b|to\b|side|edge|bank|part|end|half|corner))",
     lambda m: f" running {m.group(1)}-{lx.OPPOSITE_POINTS[m.group(1).lower()]} "),
    # "roads running north-south", "in an east-west direction", "NE-SW oriented": the two
    # compass words of the axis (the verbs and nouns around it say only that it is one)
    (rf"\b(?:(?:that|which) )?(?:{_AXIS_VERBS}|laid out)?\s*(?:in an? |with an? )?\b{_AXIS}"
     rf"(?:[\s-]*(?:{_AXIS_VERBS}|direction|orientation|axis))?", " axis:\\1\\3:\\2\\4 "),
    (rf"\b(?:(?:that|which) )?(?:{_AXIS_VERBS})\s+(?:diagonally|diagonal)\b", " diagonal "),
)


#: where in :data:`REWRITES` the rewrites :func:`said_readings` says stand
_SAID_AT = frozenset(REWRITES.index(entry) for entry in _SAID)
_LAST_SAID = max(_SAID_AT)


@lru_cache(maxsize=1)
def _compiled() -> Tuple["re.Pattern[str]", ...]:
    """:data:`REWRITES`' patterns compiled once (case-insensitive): each expression runs
    every one of them, and a lookup in :mod:`re`'s cache costs as much as a short rewrite."""
    return tuple(re.compile(pattern, re.I) for pattern, _ in REWRITES)


@lru_cache(maxsize=1)
def rewritten_words() -> FrozenSet[str]:
    """The words of 3 letters or more the rewrites read that the lexicon does not list
    ("traffic", "busy", "together"): what a slip of the keyboard may have been meant as too
    (:mod:`.slips`). Read from the patterns, escapes, endings and optional parts left out."""
    words: set = set()
    for pattern, _ in REWRITES:
        text = re.sub(r"\\[a-zA-Z]", " ", pattern)
        text = re.sub(r"(?<=[a-z)])\((?:\?:)?[^()]*\)", " ", text)   # "south(?:ern|erly)"
        words.update(re.findall(r"(?<![\w)\[\]?])[a-z]{3,}(?![\w(\[?])", text))
    return frozenset(w for w in words if not lx.known_word(w))


#: quotes and brackets that may enclose a whole expression, as pasted: the closing one of each
_ENCLOSING = {'"': '"', "'": "'", "`": "`", "“": "”", "‘": "’", "«": "»", "[": "]", "(": ")"}


def _distance_is(anchor: str, side: str, number: str, unit: str) -> str:
    """"with a distance to the road of less than 20 m": "within 20 m of the road"."""
    side = " ".join(side.lower().split())
    if side == "at least":
        return f" at least {number} {unit} from {anchor} "
    far = side in _FAR_SIDES
    return f" {'more than' if far else 'within'} {number} {unit} {'from' if far else 'of'} " \
           f"{anchor} "


#: the way a roof's slope or a building's front faces: "south-facing roofs", "buildings facing
#: north" ("cars facing north" lie along an axis; "facing the road" is beside it)
_ASPECT = re.compile(
    rf"\b((?:{_COMPASS})(?:wards?)?[\s-]+facing)\s+(?=(?:roof|rooftop|building|{_BUILDING_NAMES})"
    rf"(?:e?s)?\b)|\b(?:roof|rooftop|building|{_BUILDING_NAMES})(?:e?s)?\s+(?:(?:that|which)\s+)?"
    rf"((?:face|faces|facing)\s+(?:{_COMPASS})(?:wards?)?)\b"
    r"(?![\s-]*(?:of\b|side|edge|bank|part|end|half|corner))", re.I)


def letter_shapes(text: str) -> List[str]:
    """The phrases of ``text`` that name an outline by a letter ("L-shaped"), read as not
    rectangular: the plan says the shape it makes is not told apart."""
    return list(dict.fromkeys(" ".join(m.group(0).split())
                              for m in re.finditer(_LETTER_SHAPE, trimmed(text), flags=re.I)))


def aspect_words(text: str) -> List[str]:
    """The phrases of ``text`` that ask which way a roof or a building faces ("south-facing
    roofs": "south-facing"; "houses that face east": "face east"), which an image from above
    does not measure."""
    return list(dict.fromkeys(" ".join((m.group(1) or m.group(2)).lower().split())
                              for m in _ASPECT.finditer(trimmed(text))))


def facing_words(text: str) -> List[str]:
    """The words of a vehicle's facing or motion that the rewrites read as the axis it lies
    along ("facing" of "cars facing north"): the plan says which end is the front is not
    told. Read in the text as that rewrite sees it ("facing north-east": northeast)."""
    text = _prepared(text)
    if not re.search(rf"\b(?:{_FACING})\b", text, flags=re.I):
        return []
    for compiled, (pattern, rewrite) in zip(_compiled(), REWRITES):
        if pattern == _VEHICLE_FACING:
            return list(dict.fromkeys(m.group("facing").lower()
                                      for m in compiled.finditer(text)))
        text = compiled.sub(rewrite, text)
    return []


#: "the" left out of a phrase that has it ("cars in middle of road", "buildings to north of
#: road", "trees in shade of buildings", "houses on other side of river"): put back, as a
#: note would be typed in full ("on top of" has none)
_LEFT_OUT_THE = re.compile(
    r"\b(to|on|in|at|along|towards?|into|onto)\s+(?!top\s+of\b)(?=(?:(?:far|very|same|other|"
    r"opposite)\s+)?(?:(?:north|south)(?:-?(?:east|west))?(?:ern)?|(?:east|west)(?:ern)?|"
    r"(?:left|right)(?:-hand)?|middle|centre|center|shade|shadow|vicinity|neighbou?rhood|edge|"
    r"banks?|side|outskirts|periphery|fringes?|margins?|proximity|top|bottom|corner)\b"
    r"[\w\s-]{0,30}?\bof\b)", re.I)


def _prepared(text: str) -> str:
    """``text`` as :data:`REWRITES` read it: :func:`trimmed`, "%" a word, "(s)" a plural
    ("building(s)"), "the" put back
    where a phrase has it (:data:`_LEFT_OUT_THE`), no comma before a clause ("houses, with
    red roofs", "cars, that are white" and "cars, but only those on the road" say what the
    objects before it are, never more objects), and "&" and "@" the words they stand for
    ("trees @ the roadside", "red cars & white ones")."""
    text = re.sub(r"%|\bper\s+cent\b", " percent ", trimmed(text).replace("’", "'"),
                  flags=re.I)
    text = re.sub(r"(?<=[^\W\d_])\((e?s)\)", r"\1", text)   # "building(s)": plural
    text = _LEFT_OUT_THE.sub(r"\1 the ", text)
    text = re.sub(r"\s*,\s*(?=(?:with|without|that|which|whose|who|where|having|has|have|"
                  r"(?:but\s+)?(?:only|just)\s+(?:those|these|the))\b)", " ", text, flags=re.I)
    return re.sub(r"\s*@\s*", " at ", re.sub(r"\s*&\s*", " and ", text))


def trimmed(text: str) -> str:
    """``text`` without what encloses or follows all of it and says nothing: quotes or
    brackets around it ('"cars near the road"', "(the road the cars are on)"), separators and
    marks after it ("vehicles along the road," asked for every vehicle too; "roofs in red?").
    A quote inside a word ("what's") or a bracket closed inside ("(cars) near (roads)") is
    no enclosing one."""
    text = text.strip()
    for _ in range(2):
        text = re.sub(r"[\s,;:?!.]+$", "", text)
        opening, closing = text[:1], _ENCLOSING.get(text[:1])
        inner = text[1:-1]
        if closing is None or len(text) < 3 or text[-1] != closing:
            break
        if opening == closing:   # a quote: none inside, but within a word ("what's")
            if re.search(rf"(?<![^\W\d_]){re.escape(opening)}|{re.escape(opening)}(?![^\W\d_])",
                         inner):
                break
        elif not _balanced(inner, opening, closing):
            break
        text = inner.strip()
    return text


def _balanced(text: str, opening: str, closing: str) -> bool:
    depth = 0
    for char in text:
        depth += (char == opening) - (char == closing)
        if depth < 0:
            return False
    return depth == 0


def tokenize(text: str) -> List[str]:
    """Lower-case words (letters of any script: "bâtiments" is one word), numbers split from
    units ("20m" -> "20", "m"), commas kept; :func:`trimmed`, then :data:`REWRITES`."""
    text = _prepared(text)
    for compiled, (_, replacement) in zip(_compiled(), REWRITES):
        text = compiled.sub(replacement, text)
    text = re.sub(r"axis:(\w+):(\w+)", lambda m: " ".join(
        _ABBREVIATED.get(w.lower(), w) for w in m.groups()), text)
    # "+" after a word is and ("cars + trucks"; "5+ cars" is a count), "/" between words or
    # (between numbers a fraction), ";" a comma
    text = re.sub(r"(?<![\d.])(\d{1,6})/([1-9]\d{0,5})(?![\d.])",   # "1/2 km": a fraction
                  lambda m: f"{int(m.group(1)) / int(m.group(2)):g}", text)
    text = text.replace("/", " or ").replace(";", ",")
    # a full stop between sentences ("cars on the road. trucks too."): a comma (abbreviations
    # were read by the rewrites: "e.g.", "St.", "approx.")
    text = re.sub(r"(?<=[^\W\d_]{2})\.\s+(?=[^\W\d_])", " , ", text)
    text = text.replace("|", " or ")
    text = re.sub(r"(?<![\d+])\s*\+", " and ", text)
    text = lx.normalise(text).replace("’", "'")
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # thousands: "1,000 m2" -> "1000 m2"
    text = re.sub(r"(\d)([^\W\d_])", r"\1 \2", text)
    text = re.sub(r"'s\b", "", text)  # possessive: "the car's shadow" -> "the car shadow"
    return _one_conjunction(re.findall(r"\d+(?:\.\d+)?|[^\W\d_]+(?:'[^\W\d_]+)?|[,<>≤≥]",
                                       text))


def _one_conjunction(tokens: List[str]) -> List[str]:
    """Each run of joining words as one: "cars, trucks, and buses" (the serial comma),
    "and/or" and ", or" are "or" if an "or" is in the run, else "and"; a lone comma stays."""
    out: List[str] = []
    for word in tokens:
        if word in lx.CONJUNCTIONS and out and out[-1] in lx.CONJUNCTIONS:
            out[-1] = "or" if "or" in (word, out[-1]) else "and"
        else:
            out.append(word)
    return out
