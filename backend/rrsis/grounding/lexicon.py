"""The grounding vocabulary, as data: categories, colours, sizes, shapes, relations, units.

Everything the parser understands is listed here, so extending the language is a data
change. Words are lower case; plurals of single words are derived by :func:`singular`
(regular English endings plus the irregular table), multi-word names are matched
whole ("low vegetation", "parking lot").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Collection, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from .slips import plural_forms, readings

__all__ = ["Category", "CATEGORIES", "CATEGORY_NAMES", "COLOURS", "ColourRange", "SIZE_WORDS",
           "RELATIVE_SIZES", "COMPARATIVE_WORDS", "THAN_AVERAGE_WORDS", "SIZE_RANKS",
           "COLOUR_RANKS", "ranks_by_colour", "CONJUNCTIONS",
           "SHAPE_WORDS", "COMPASS_BEARINGS", "AXIS_NAMES", "AXIS_VERBS", "DIAGONAL_WORDS",
           "NEAR_WORDS", "OBJECT_EDGE_NOUNS", "OVERLAP_WORDS", "CROSSING_VERBS",
           "BOTH_SIDES_WORDS",
           "DIRECTION_WORDS", "REGION_WORDS", "COMPASS_POINTS", "INTERCARDINAL_POINTS",
           "UNITS_M", "BUILDING_USES", "BUILDING_STATUSES", "ROAD_CLASSES", "ROAD_SURFACES",
           "OSM_KEYS", "OSM_TAGS",
           "COMPARATIVES", "AREA_UNITS_M2", "SIZE_NOUNS", "ROOF_NOUNS",
           "WIDTH_COMPARATIVES", "TRAILING_COMPARATIVES", "DISTANCE_SUPERLATIVES",
           "OWN_KIND_WORDS", "COUNTABLE_GROUPS", "GROUP_NOUNS", "GROUP_MIN", "LINE_NOUNS",
           "group_kind", "JUNCTION_NOUNS", "BRIDGE_NOUNS", "OUTLINE_NOUNS", "CENTRE_LINE_NOUNS",
           "ROAD_END_PHRASES", "PART_NOUNS", "CLIP_NOUNS", "OWN_PART_SHARES",
           "OBJECT_EDGE_NOUNS", "OBJECT_INTERIOR_NOUNS", "ROAD_PART_NOUNS", "ISLAND_NOUNS",
           "BEND_NOUNS",
           "ROAD_PARTS", "BUILDING_USE_WORDS", "USE_ADJECTIVE_NOUNS", "SIDE_SUPERLATIVES",
           "SHARE_WORDS", "INTENSIFIERS", "REGION_ADJECTIVES", "WHOLE_IMAGE_PREPOSITIONS",
           "WHOLE_IMAGE_WORDS",
           "ROOF_COLOUR_WORDS", "MOTION_WORDS", "FACING_WORDS", "HAVING_WORDS", "TOUCH_WORDS",
           "SHADE_VERBS", "HAVING_NOTHING",
           "INTERSECT_VERBS",
           "TOUCH_M", "REGION_SHARES", "SIDE_WORDS", "SIDE_GROUPS", "COLOUR_ALIASES", "is_hue",
           "CORNER_POINTS", "OPPOSITE_POINTS", "SHADES", "ACROSS_WIDTH_M", "EDGE_NAMES",
           "IMAGE_EDGE_NOUNS", "IMAGE_EDGE_PLACES",
           "IMAGE_EDGE_NEAR_SHARE", "PARTLY_WORDS", "ENTIRELY_WORDS", "PLACE_NOUNS",
           "SETTLEMENT_PLACES", "USE_PLACES", "PLACE_ONLY_WORDS",
           "COUNT_BEFORE", "COUNT_AFTER",
           "COUNTED_RELATIONS", "EXACT_COUNT_WORDS", "VAGUE_COUNTS", "CROWDED_WORDS",
           "UNCOVERED_WORDS", "UN_COVERED", "AREA_NOUNS",
           "NUMBER_WORDS", "ORDINAL_WORDS", "ORDINAL_SUFFIXES", "FILLER_WORDS", "COLLECTIVE_NOUNS",
           "NEGATION_WORDS",
           "NEGATED_FORMS", "TRAINING_WORDS", "LENGTH_KINDS", "LARGEST_OBJECTS",
           "DEFAULT_NEXT_TO_M", "next_to_distance_m", "singular", "singular_phrase", "superlative",
           "known_word", "UNTAUGHT_OBJECTS", "UNTAUGHT_NAMES",
           "Vocabulary", "BASE_VOCABULARY", "vocabulary_of", "normalise", "as_phrase"]


@dataclass(frozen=True)
class Category:
    """A class the model segments: its canonical name, the phrase sent to the model, its names.

    ``model_phrase`` is the wording the model was trained on (see :data:`TRAINING_WORDS`),
    so "automobiles" reaches the network as "cars". ``group`` keys the default distances.
    """

    name: str
    model_phrase: str
    names: Tuple[str, ...]
    group: str


#: a road's class in a road network's hierarchy ("secondary roads", "a residential street"):
#: read as any road (:data:`~.tokens.REWRITES`), and said so in the plan's notes ("main" and
#: "major" roads are roads)
ROAD_CLASSES: Tuple[str, ...] = ("primary", "secondary", "tertiary", "minor",
                                 "arterial", "feeder", "collector", "distributor", "local",
                                 "residential")
#: a road's surface ("dirt roads", "a tarmac road"): read as any road, and said so
ROAD_SURFACES: Tuple[str, ...] = ("paved", "dirt", "earth", "murram", "gravel", "asphalt",
                                  "tarmac", "tarred", "sealed", "unsealed", "unpaved")
#: OpenStreetMap tags as GIS analysts type them ("building=yes", "highway=primary",
#: "natural=water"): key -> the name read for any value (None: the value itself, "_" a space,
#: "natural=tree_row" a tree row); (key, value) pairs first
OSM_KEYS: Dict[str, Optional[str]] = {
    "building": "buildings", "highway": "roads", "natural": None, "landuse": None,
    "landcover": None, "leisure": None, "waterway": None, "amenity": None}
OSM_TAGS: Dict[Tuple[str, str], str] = {
    **{("highway", v): "footpaths" for v in ("footway", "path", "cycleway", "pedestrian",
                                             "steps", "bridleway")},
    ("natural", "wood"): "woods", ("natural", "bare_rock"): "bare land",
    ("amenity", "parking"): "parking lots", ("waterway", "riverbank"): "water",
    **{("landuse", v): f"{v} areas" for v in ("residential", "industrial", "commercial",
                                               "retail")}}

CATEGORIES: Tuple[Category, ...] = (
    # machines the training data has no class of are vehicles to the model: their plan says
    # vehicle, and the model's vehicles are what it finds
    Category("vehicle", "vehicles", ("vehicle", "motor vehicle", "tractor", "farm vehicle",
                                     "construction vehicle", "excavator", "bulldozer",
                                     "digger", "veh", "emergency vehicle", "military vehicle",
                                     "service vehicle", "utility vehicle",
                                     "delivery vehicle"), "vehicle"),
    Category("car", "cars", ("car", "automobile", "motorcar", "auto", "passenger car", "sedan",
                             "taxi", "suv", "hatchback", "cab", "jeep", "police car", "patrol car",
                             "sports car", "station wagon", "estate car", "limousine",
                             "coupe", "convertible", "passenger vehicle"),
             "vehicle"),
    Category("truck", "trucks", ("truck", "lorry", "trailer", "long vehicle", "semi truck",
                                 "semi trailer", "tractor trailer", "dump truck",
                                 "tanker truck", "fire truck", "fire engine",
                                 "delivery truck", "cargo truck", "utility truck",
                                 "truck tractor", "eighteen wheeler", "hgv"), "vehicle"),
    Category("bus", "buses", ("bus", "coach", "school bus", "shuttle bus", "double decker",
                              "double decker bus"), "vehicle"),
    # a minibus is van-sized, and the training data's "van" is its minibus class
    Category("van", "vans", ("van", "minibus", "pickup", "pickup truck", "pick up truck",
                             "minivan", "ambulance", "delivery van", "camper van",
                             "campervan", "matatu"), "vehicle"),   # Kenya's minibus taxi
    Category("building", "buildings", ("building", "house", "roof", "rooftop", "home",
                                       "structure", "built structure", "edifice",
                                       "shed", "hut", "dwelling", "warehouse", "godown",
                                       "shop", "store", "factory", "barn", "garage", "school",
                                       "church", "mosque", "temple", "hospital", "office",
                                       "apartment", "apartment block", "villa", "cabin",
                                       "housing complex", "apartment complex",
                                       "office complex",
                                       "hangar", "shack", "kiosk", "greenhouse", "residence",
                                       "roof top", "building footprint", "settlement",
                                       "human settlement",
                                       "parking garage", "parking structure", "parking deck",
                                       "parkade", "housing", "housing unit",
                                       # kinds of building an analyst names: from above,
                                       # each is a roof ("village": its buildings)
                                       "cottage", "bungalow", "townhouse", "town house",
                                       "duplex", "condo", "condominium", "farmhouse",
                                       "farm house", "chalet", "lodge", "hotel", "mall",
                                       "strip mall", "shopping mall", "shopping centre",
                                       "shopping center",
                                       "stadium", "depot", "pavilion", "gazebo", "carport",
                                       "village", "hamlet",
                                       # and by its use (:data:`BUILDING_USES`)
                                       "supermarket", "market", "university", "college",
                                       "kindergarten", "library", "museum", "restaurant",
                                       "clinic", "prison", "cinema", "theatre", "theater",
                                       "gym", "hall", "town hall", "city hall", "sports hall",
                                       "station", "police station", "fire station",
                                       "train station", "railway station", "bus station",
                                       "gas station", "petrol station", "filling station",
                                       "power station", "post office",
                                       # land cover's name for ground covered by buildings
                                       "built up area", "built up land", "urban area",
                                       "urban land", "shanty",
                                       # and by a status (:data:`BUILDING_STATUSES`)
                                       "slum",
                                       # the abbreviations of GIS attribute tables
                                       "bldg", "bld", "bldng"),
             "building"),
    Category("road", "road", ("road", "street", "highway", "motorway", "lane", "avenue",
                              "carriageway", "main road", "thoroughfare",
                              "main street", "major road", "roadside", "hwy", "rd", "roadway",
                              "alley", "alleyway", "side road", "side street", "back street",
                              "access road", "ring road", "boulevard", "freeway",
                              "service road", "logging road", "forest road", "farm road",
                              "expressway", "road segment", "road section", "road network",
                              "street network", "dual carriageway", "slip road", "ramp",
                              "highway ramp", "exit ramp", "overpass", "flyover",
                              "underpass", "route"), "road"),
    Category("sidewalk", "sidewalk", ("sidewalk", "pavement", "footpath", "walkway", "path",
                                      "trail", "pedestrian path", "pedestrian walkway",
                                      "footway"), "road"),
    Category("bikeway", "bikeway", ("bikeway", "bike lane", "cycle path", "cycleway",
                                    "bike path", "cycle lane"),
             "road"),
    Category("road marking", "road marking", ("road marking", "zebra crossing", "crosswalk",
                                              "lane marking", "pedestrian crossing",
                                              "road line", "lane line", "painted line",
                                              "painted marking"),
             "road"),
    Category("parking lot", "parking lot", ("parking lot", "car park", "carpark",
                                            "parking area", "parking", "parking space",
                                            "parking bay", "parking spot", "car parking",
                                            "car parking area", "parking place",
                                            "vehicle lot"),
             "road"),
    Category("impervious surface", "impervious surface", ("impervious surface", "impervious area",
                                                          # OpenEarthMap's class: paved ground
                                                          # that is no road nor building
                                                          "developed space", "pavement area",
                                                          "paved area", "paved surface"),
             "road"),
    Category("tree", "trees", ("tree", "sapling", "tree canopy", "canopy", "woodland", "forest",
                                "palm tree", "palm", "woods", "orchard", "plantation",
                                "tree crown", "tree cover", "tree canopy cover", "forest cover",
                                "tree line", "treeline",
                                "wooded area", "forest patch", "mangrove", "grove",
                                "forest land", "woodlot", "shade tree"),
             "vegetation"),
    Category("low vegetation", "low vegetation", ("low vegetation", "grass", "lawn", "meadow",
                                                  "shrub", "bush", "hedge", "hedgerow",
                                                  "football field", "soccer field",
                                                  "sports field", "playing field",
                                                  "football pitch", "golf course", "golf field",
                                                  "grassland", "shrubland", "scrub",
                                                  "scrubland", "grass field", "grassy area",
                                                  "grass area", "grass verge", "verge",
                                                  "soccer pitch", "rugby pitch",
                                                  "cricket pitch", "cricket ground",
                                                  "sports ground", "vineyard",
                                                  "baseball field", "baseball diamond",
                                                  "athletic field", "polo field",
                                                  "hockey field", "hockey pitch",
                                                  # land-cover classes (OpenEarthMap,
                                                  # DeepGlobe): grass and shrubs
                                                  "rangeland", "range land"),
             "vegetation"),
    Category("vegetation", "vegetation", ("vegetation", "greenery", "green vegetation",
                                          "plant", "green area", "crop", "cropland",
                                          "farmland", "field", "crop field",
                                          "agricultural field", "agricultural land",
                                          "arable land", "pasture", "paddock",
                                          "garden", "green space", "park", "public park",
                                          "allotment", "community garden",
                                          "city park", "veg", "open field", "vegetated area",
                                          "paddy", "paddy field", "rice field", "rice paddy",
                                          "agriculture", "agriculture land",
                                          "agricultural area", "cultivated land",
                                          "cultivated field", "cultivated area",
                                          "irrigated field", "irrigated land",
                                          "vegetation cover", "plant cover", "urban green space",
                                          "urban green"),
             "vegetation"),
    Category("water", "water", ("water", "water body", "open water", "river", "lake", "pond",
                                "sea", "pool", "swimming pool", "canal", "stream", "ocean",
                                "reservoir", "lagoon", "fishpond", "fish pond", "creek",
                                "main river", "waterway", "watercourse",
                                "brook", "estuary", "channel", "water channel", "ditch",
                                "nallah", "nullah",
                                "drainage channel", "drainage canal", "drainage ditch",
                                "irrigation channel", "irrigation canal", "irrigation ditch",
                                "drain", "storm drain", "stormwater drain",
                                "flooded area", "flooded land", "floodwater", "flood water",
                                # the water's edge, as an anchor: "houses along the riverside"
                                "riverside", "riverbank", "river bank", "lakeside",
                                "lakeshore", "lake shore", "waterfront", "shore", "shoreline",
                                "coast", "coastline", "seashore", "waterline", "lakefront",
                                "riverfront", "water's edge", "water edge",
                                "puddle", "harbour", "harbor", "marina", "riverbed",
                                "river bed"), "water"),
    Category("bare land", "bare land", ("bare land", "bare soil", "soil", "sand", "dirt",
                                        "unpaved land", "bare ground", "land", "open land",
                                        "open ground", "vacant land", "vacant lot", "vacant plot",
                                        "empty lot", "empty plot", "empty land", "empty ground",
                                        "open space", "open area", "undeveloped land",
                                        "unbuilt land", "undeveloped plot",
                                        "beach", "desert", "quarry", "bare field",
                                        "plowed field", "ploughed field", "fallow field",
                                        "fallow land", "sandbar", "sand bank", "sandbank",
                                        "sand dune", "dune", "sandy area", "sandy ground",
                                        # forest cleared: the ground left, seen from above
                                        "clearing", "forest clearing", "cleared land",
                                        "cleared area", "deforested area", "deforested land",
                                        "clear cut", "clearcut", "clear cut area",
                                        # land-cover classes (LoveDA, DeepGlobe,
                                        # OpenEarthMap)
                                        "barren", "barren land", "barren ground",
                                        "barren area", "bareland",
                                        "exposed soil", "exposed ground", "exposed earth",
                                        "exposed sand", "bare earth",
                                        # a river without water: its bed, bare
                                        "dry riverbed", "dry river bed", "dried riverbed",
                                        "dry river"),
             "land"),
)
CATEGORY_NAMES: Dict[str, str] = {n: c.name for c in CATEGORIES for n in c.names}

#: kinds of vehicle told apart by ground length (m; (at least, at most), None: no bound),
#: from the typical sizes of their types, not from any data: cars 3.5-5.2 m; vans, minibuses
#: and pickups 5-7.4 m (a long-wheelbase Sprinter); lorries from 7 m (a 7.5 t box truck) to
#: 18 m; buses from a 8 m midibus to an 18 m articulated one. A model that did not learn
#: such a kind (its card: :mod:`.learnt`) is asked for the group's umbrella ("vehicles") and
#: the kind is selected by length (:func:`.kinds.by_length`); by length alone buses and
#: trucks are not told apart.
LENGTH_KINDS: Dict[str, Tuple[Optional[float], Optional[float]]] = {
    "van": (5.0, 7.5), "truck": (7.0, None), "bus": (8.0, None)}
#: the most a group's objects measure from above (m2, m): a measure beyond it after an anchor
#: is the anchor's ("cars near a building larger than 500 m2"; an articulated lorry is some
#: 25 m by 2.6 m); the other groups' objects may be of any size
LARGEST_OBJECTS: Dict[str, Dict[str, float]] = {
    "vehicle": {"area": 80.0, "length": 30.0, "width": 5.0, "diameter": 30.0}}
BY_NAME: Dict[str, Category] = {c.name: c for c in CATEGORIES}

# irregular plurals (others: -s, -es, -ies)
IRREGULAR: Dict[str, str] = {"buses": "bus", "busses": "bus", "leaves": "leaf",
                             "people": "person", "men": "man", "lorries": "lorry",
                             "minibuses": "minibus",
                             "bushes": "bush", "benches": "bench", "grasses": "grass",
                             "trees": "tree", "rds": "rd"}


def singular(word: str) -> str:
    """``cars`` -> ``car``, ``bushes`` -> ``bush``, ``buses`` -> ``bus``; unknown stays."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    for end, repl in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"),
                      ("xes", "x")):
        if word.endswith(end) and len(word) > len(end) + 1:
            return word[: -len(end)] + repl
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


@dataclass(frozen=True)
class ColourRange:
    """A named colour as ranges of CIELAB lightness L*, chroma C*ab and hue angle h (degrees).

    An object has the colour when the median Lab of its pixels falls in every range; a
    hue range may wrap through 0 (lo > hi). The ranges are wide on purpose: roofs and
    cars under sun and shade vary a lot more than paint swatches.
    """

    lightness: Tuple[float, float] = (0.0, 100.0)
    chroma: Tuple[float, float] = (0.0, 200.0)
    hue: Optional[Tuple[float, float]] = None


COLOURS: Dict[str, ColourRange] = {
    "white": ColourRange((70, 100), (0, 18)),
    "black": ColourRange((0, 28), (0, 25)),
    "dark": ColourRange((0, 40)),
    "bright": ColourRange((65, 100)),
    "light": ColourRange((65, 100)),
    "grey": ColourRange((28, 75), (0, 12)),
    "silver": ColourRange((55, 85), (0, 12)),
    "red": ColourRange((15, 75), (25, 200), (345, 50)),
    "orange": ColourRange((40, 85), (30, 200), (50, 75)),
    "yellow": ColourRange((55, 100), (30, 200), (75, 105)),
    "brown": ColourRange((15, 60), (12, 60), (45, 85)),
    "green": ColourRange((15, 90), (12, 200), (105, 200)),
    "blue": ColourRange((15, 90), (12, 200), (200, 312)),
    "turquoise": ColourRange((30, 90), (12, 200), (170, 230)),
    "purple": ColourRange((15, 75), (15, 200), (312, 345)),
    "pink": ColourRange((55, 100), (12, 80), (330, 35)),
    "beige": ColourRange((65, 100), (6, 32), (65, 110)),
    "tan": ColourRange((50, 85), (14, 40), (60, 90)),
    "cream": ColourRange((82, 100), (6, 30), (80, 115)),
}


#: colour names of a lightness only, which shade the colour named after them ("light grey":
#: light and grey, one colour)
SHADES: FrozenSet[str] = frozenset(n for n, r in COLOURS.items()
                                   if r.hue is None and r.chroma == (0.0, 200.0))


def is_hue(name: str) -> bool:
    """Whether a colour name names a hue ("red", "blue"; not "white", "dark")."""
    return name in COLOURS and COLOURS[name].hue is not None


#: other names of a colour, read as the one they name ("reddish" is red, "teal" turquoise,
#: "rusty" red-brown: two hue names in a row are the hues between them, ``colour_range``)
COLOUR_ALIASES: Dict[str, str] = {
    "gray": "grey", "reddish": "red", "bluish": "blue", "blueish": "blue",
    "greenish": "green", "yellowish": "yellow", "brownish": "brown", "greyish": "grey",
    "grayish": "grey", "whitish": "white", "blackish": "black", "orangish": "orange",
    "orangey": "orange", "pinkish": "pink", "purplish": "purple", "violet": "purple",
    "crimson": "red", "scarlet": "red", "teal": "turquoise", "cyan": "turquoise",
    "aqua": "turquoise", "khaki": "tan", "ivory": "cream",
    "navy": "dark blue", "maroon": "dark red", "rust": "red brown", "rusty": "red brown",
    "terracotta": "red brown", "off white": "white", "off-white": "white", "muddy": "brown",
    "gold": "yellow", "golden": "yellow", "bronze": "red brown", "lime": "green",
    "mint": "light green", "peach": "light orange", "salmon": "pink", "magenta": "pink",
    "lavender": "light purple", "charcoal": "dark grey", "burgundy": "dark red",
    "sky blue": "light blue", "forest green": "dark green", "army green": "dark green",
    "bottle green": "dark green", "brick red": "red",
    # a roof that reflects the sky is bright from above (metal, glass): its lightness is seen
    "shiny": "bright", "reflective": "bright", "glossy": "bright"}
#: the compass points between the four ("southeast of", "the northeasternmost"), and all eight
#: (a direction relation's kinds, :data:`~.relations.BEARINGS`)
INTERCARDINAL_POINTS: Tuple[str, ...] = ("northeast", "northwest", "southeast", "southwest")
COMPASS_POINTS: Tuple[str, ...] = ("north", "south", "east", "west") + INTERCARDINAL_POINTS
# size by area ("small", "the largest"), by width ("narrow roads", "the widest river") and by
# length ("the shortest road"): a third of the category (:data:`RELATIVE_SIZES`) or a rank
SIZE_WORDS: Dict[str, str] = {"small": "small", "little": "small", "tiny": "small",
                              "smallish": "small", "largish": "large", "biggish": "large",
                              "large": "large", "big": "large", "huge": "large",
                              "giant": "large", "enormous": "large", "massive": "large",
                              "gigantic": "large", "immense": "large", "oversized": "large",
                              "minuscule": "small", "miniature": "small",
                              "sizable": "large", "sizeable": "large",
                              "medium": "medium", "mid": "medium", "midsize": "medium",
                              "midsized": "medium",
                              "average": "medium", "moderate": "medium",
                              "wide": "wide", "broad": "wide", "narrow": "narrow",
                              "short": "short",
                              "thin": "narrow", "skinny": "narrow", "slim": "narrow",
                              "slender": "narrow", "sprawling": "large",
                              "biggest": "largest", "largest": "largest",
                              "smallest": "smallest", "tiniest": "smallest",
                              "longest": "longest",
                              "shortest": "shortest", "widest": "widest", "broadest": "widest",
                              "narrowest": "narrowest", "thinnest": "narrowest",
                              "slimmest": "narrowest", "skinniest": "narrowest",
                              # ranks by position (north-up working grid): its centre's
                              "northernmost": "northernmost", "northmost": "northernmost",
                              "topmost": "northernmost", "uppermost": "northernmost",
                              "southernmost": "southernmost", "southmost": "southernmost",
                              "bottommost": "southernmost", "lowermost": "southernmost",
                              "easternmost": "easternmost", "eastmost": "easternmost",
                              "rightmost": "easternmost", "westernmost": "westernmost",
                              "westmost": "westernmost", "leftmost": "westernmost",
                              **{p + "ernmost": p + "ernmost" for p in INTERCARDINAL_POINTS},
                              # by its centre's distance to the centre of the extent
                              "centremost": "most central", "centermost": "most central",
                              "middlemost": "most central", "outermost": "outermost",
                              "innermost": "innermost",
                              # by the colour of its pixels (:data:`COLOUR_RANKS`)
                              "brightest": "brightest", "lightest": "brightest",
                              "whitest": "brightest", "darkest": "darkest",
                              "blackest": "darkest", "reddest": "reddest",
                              "greenest": "greenest", "bluest": "bluest",
                              "yellowest": "yellowest"}
#: a size word that keeps a third of its category -> (the measure compared, the large end?
#: None: the middle third); "very large" keeps a sixth (:data:`INTENSIFIERS`)
RELATIVE_SIZES: Dict[str, Tuple[str, Optional[bool]]] = {
    "large": ("area", True), "small": ("area", False), "medium": ("area", None),
    "wide": ("width", True), "narrow": ("width", False),
    "short": ("length", False),   # "long" is a shape (elongated: "long truck")
    "very large": ("area", True), "very small": ("area", False),
    "very wide": ("width", True), "very narrow": ("width", False),
    "very short": ("length", False)}
#: words that make a size or "long" stricter ("very large buildings": the largest sixth of
#: them, "extremely long trucks"), all read as "very" (:data:`~.tokens.REWRITES`); before
#: any other word they are dropped ("very dark roofs" are dark ones)
INTENSIFIERS: FrozenSet[str] = frozenset({
    "very", "really", "extremely", "exceptionally", "particularly", "especially", "super",
    "unusually", "remarkably", "incredibly", "highly"})
#: a superlative -> (the measure ranked, the largest first?)
SIZE_RANKS: Dict[str, Tuple[str, bool]] = {"largest": ("area", True), "smallest": ("area", False),
                                           "longest": ("length", True),
                                           "shortest": ("length", False),
                                           "widest": ("width", True),
                                           "narrowest": ("width", False),
                                           "northernmost": ("northing", True),
                                           "southernmost": ("northing", False),
                                           "easternmost": ("easting", True),
                                           "westernmost": ("easting", False),
                                           # along a diagonal: "the northeasternmost"
                                           "northeasternmost": ("northeasting", True),
                                           "southwesternmost": ("northeasting", False),
                                           "northwesternmost": ("northwesting", True),
                                           "southeasternmost": ("northwesting", False),
                                           "most central": ("off_centre", False),
                                           "least central": ("off_centre", True),
                                           # by its gap to the extent's edge
                                           "outermost": ("off_edge", False),
                                           "innermost": ("off_edge", True),
                                           # by the median colour of its pixels
                                           "brightest": ("lightness", True),
                                           "darkest": ("lightness", False),
                                           "reddest": ("red", True), "greenest": ("green", True),
                                           "bluest": ("blue", True),
                                           "yellowest": ("yellow", True)}
#: the measures of :data:`SIZE_RANKS` read from an object's pixels, not its outline: the
#: lightness L* of its median colour, or how far that colour goes towards a hue (its chroma
#: along the hue's centre, :func:`~.colour.towards_hue`)
COLOUR_RANKS: FrozenSet[str] = frozenset({"lightness", "red", "green", "blue", "yellow"})


def ranks_by_colour(rank: str) -> bool:
    """Whether the rank ``rank`` ("darkest", "largest") orders objects by their pixels."""
    return SIZE_RANKS.get(rank, ("",))[0] in COLOUR_RANKS


#: each compass point's opposite: "the road running north" lies north-south, and the tree
#: "farthest from the top left corner" is the southeasternmost
OPPOSITE_POINTS: Dict[str, str] = {"north": "south", "south": "north", "east": "west",
                                   "west": "east", "northeast": "southwest",
                                   "southwest": "northeast", "northwest": "southeast",
                                   "southeast": "northwest"}
#: a corner or a side of the image -> the point it lies towards: "the car closest to the top
#: left corner" is the northwesternmost (along the diagonal), "closest to the top" the
#: northernmost (the point's rank in :data:`SIZE_RANKS`: point + "ernmost")
CORNER_POINTS: Dict[Tuple[str, str], str] = {
    ("top", "left"): "northwest", ("top", "right"): "northeast",
    ("bottom", "left"): "southwest", ("bottom", "right"): "southeast",
    ("top", ""): "north", ("bottom", ""): "south", ("", "left"): "west", ("", "right"): "east"}
# "the building furthest north", "the second car from the left": a rank by position
SIDE_SUPERLATIVES: Dict[str, str] = {
    "north": "northernmost", "top": "northernmost", "south": "southernmost",
    "bottom": "southernmost", "east": "easternmost", "right": "easternmost",
    "west": "westernmost", "left": "westernmost",
    **{p: p + "ernmost" for p in INTERCARDINAL_POINTS}}
# "the building closest to the river": a rank by distance to an anchor
DISTANCE_SUPERLATIVES: Dict[str, str] = {"closest": "nearest", "nearest": "nearest",
                                         "farthest": "farthest", "furthest": "farthest"}
#: the groups whose objects are countable things, which "dense" and "sparse" describe
COUNTABLE_GROUPS: FrozenSet[str] = frozenset({"building", "vehicle"})
# words before a noun that relate each object to the others of its own categories:
# "isolated buildings" (far from any other), "clustered houses" (in a group of at least
# GROUP_MIN), "terraced houses" (touching another), "detached houses" (touching none)
OWN_KIND_WORDS: Dict[str, str] = {
    **dict.fromkeys(("isolated", "solitary", "lone", "lonely", "secluded", "standalone",
                     "remote"),
                   "isolated"),
    **dict.fromkeys(("clustered", "grouped", "clumped", "bunched"), "group"),
    **dict.fromkeys(("terraced", "attached", "adjoining", "semidetached", "joined",
                     "adjacent"), "joined"),
    **dict.fromkeys(("detached", "freestanding"), "detached"),
    # how densely built: of buildings or vehicles only (an area's mask is one object)
    **dict.fromkeys(("dense", "crowded", "packed", "congested", "tightly"), "dense"),
    **dict.fromkeys(("sparse", "scattered", "dispersed", "spread"), "sparse")}
SHAPE_WORDS: Dict[str, str] = {"long": "long", "elongated": "long", "square": "compact",
                               "compact": "compact",
                               "round": "compact", "circular": "compact",
                               "oval": "compact",
                               "rectangular": "rectangular",
                               "rectilinear": "rectangular", "boxy": "rectangular",
                               "irregular": "irregular", "irregularly": "irregular",
                               # a strip's course: "straight roads", "the winding river"
                               "straight": "straight",
                               **dict.fromkeys(("curved", "curving", "curvy", "winding",
                                                "meandering", "bending", "bendy", "twisting",
                                                "twisty", "sinuous", "serpentine", "snaking",
                                                "crooked"), "curved"),
                               # a hole in the outline: "buildings with a courtyard"
                               "courtyard": "courtyard", "ring": "courtyard"}

#: the axis an elongated object lies along: compass word -> (axis name, bearing of the axis in
#: degrees clockwise from grid north, 0-180). "roads running north-south", "east-west
#: oriented buildings", "buildings aligned northeast to southwest" (:data:`~.tokens.REWRITES`
#: brings them to two compass words in a row); either order names the same axis
COMPASS_BEARINGS: Dict[str, float] = {"north": 0.0, "south": 0.0, "east": 90.0, "west": 90.0,
                                      "northeast": 45.0, "southwest": 45.0,
                                      "northwest": 135.0, "southeast": 135.0}
AXIS_NAMES: Dict[float, str] = {0.0: "north-south", 45.0: "northeast-southwest",
                                90.0: "east-west", 135.0: "northwest-southeast"}
#: "diagonal roads", "running diagonally": along either diagonal axis
DIAGONAL_WORDS: FrozenSet[str] = frozenset({"diagonal", "diagonally"})
#: words around an axis that only say it is one, dropped there (:data:`~.tokens.REWRITES`):
#: "oriented north-south", "running east to west", "in a north-south direction"
AXIS_VERBS: FrozenSet[str] = frozenset({
    "oriented", "orientated", "aligned", "running", "runs", "run", "going", "goes",
    "stretching", "stretches", "lying", "lies", "extending", "extends", "trending",
    "flowing", "flows", "leading", "leads"})

# relations: phrase (tuple of words) -> relation kind
#: the edge of an object ("houses at the edge of the forest"): beside it; of the object's own
#: kind ("trees at the edge of the forest") it is a part of their mask, which goes whole
OBJECT_EDGE_NOUNS: FrozenSet[str] = frozenset({"edge", "edges", "fringe", "fringes", "margin",
                                               "margins", "border", "borders", "boundary",
                                               "boundaries"})
NEAR_WORDS: Dict[Tuple[str, ...], str] = {
    ("along",): "along", ("alongside",): "along", ("lining",): "along",
    ("hugging",): "along", ("following",): "along", ("along", "the", "length", "of"): "along",
    ("neighbouring",): "next_to", ("neighboring",): "next_to", ("within", "reach", "of"): "near",
    ("parallel", "to"): "parallel", ("parallel", "with"): "parallel",
    ("aligned", "with"): "parallel", ("aligned", "to"): "parallel",   # "houses aligned with
    ("aligned", "along"): "parallel",                                   # the road"
    ("perpendicular", "to"): "perpendicular",
    ("square", "to"): "perpendicular", ("orthogonal", "to"): "perpendicular",
    ("at", "an", "angle", "to"): "oblique", ("oblique", "to"): "oblique",
    ("in", "courtyard", "of"): "in_courtyard",   # tokens.REWRITES: "in the courtyard (of)"
    ("obliquely", "to"): "oblique", ("diagonal", "to"): "oblique",
    ("diagonally", "to"): "oblique", ("angled", "to"): "oblique",
    ("next", "to"): "next_to", ("beside",): "next_to", ("besides",): "next_to",
    ("next", "door", "to"): "next_to", ("adjacent", "to"): "next_to", ("by",): "next_to",
    ("bordering",): "next_to", ("bordering", "on"): "next_to",
    # a house whose back or front is on it: "houses backing onto the river"
    **dict.fromkeys([("backing", "onto"), ("backing", "on", "to"), ("backs", "onto"),
                     ("fronting", "onto"), ("fronting", "on"), ("fronts", "onto")], "next_to"),
    ("flanking",): "along", ("flanks",): "along", ("skirting",): "along", ("skirts",): "along",
    ("fringing",): "along",
    ("at", "the", "side", "of"): "next_to",
    # "houses on the edge of the forest", "at the fringe of the wood" (an image's edge is no
    # object: :mod:`.places` reads it first)
    **{(on, *the, edge, "of"): "next_to" for on in ("at", "on", "along")
       for edge in OBJECT_EDGE_NOUNS for the in (("the",), ())},   # "at edge of" as typed fast
    ("on", "the", "side", "of"): "next_to", ("close", "to"): "near", ("near",): "near",
    ("nearby",): "near", ("near", "to"): "near", ("around",): "near", ("nr",): "near",
    ("far", "from"): "far", ("away", "from"): "far", ("far", "away", "from"): "far",
    ("distant", "from"): "far", ("remote", "from"): "far", ("far", "removed", "from"): "far",
    ("nearby", "to"): "near",
    ("surrounded", "by"): "surrounded", ("between",): "between", ("in", "between"): "between",
    # in the midst of them: "the house among the trees", "buildings enclosed by trees"
    **dict.fromkeys([("among",), ("amongst",), ("amid",), ("amidst",), ("enclosed", "by"),
                     ("encircled", "by"), ("ringed", "by")], "surrounded"),
    ("with",): "with",   # "parking lots with cars", "houses with a pool": one within d, or on it
    ("have",): "with", ("has",): "with", ("having",): "with",   # "houses that have a pool"
    ("lined", "with"): "with", ("lined", "by"): "with",   # "roads lined with trees"
    ("on", "both", "sides", "of"): "next_to", ("on", "either", "side", "of"): "next_to",
    ("on", "each", "side", "of"): "next_to", ("along", "both", "sides", "of"): "along",
    ("lining", "both", "sides", "of"): "along", ("lining", "either", "side", "of"): "along",
    ("alongside", "both", "sides", "of"): "along", ("alongside", "either", "side", "of"): "along",
    # seen from above, "in front of", "behind" and "facing" an object are beside it
    ("in", "front", "of"): "next_to", ("behind",): "next_to", ("facing",): "next_to",
    ("at", "the", "back", "of"): "next_to", ("at", "the", "rear", "of"): "next_to",
    ("at", "the", "front", "of"): "next_to",
    ("surrounding",): "near", ("encircling",): "near",   # "trees surrounding the building"
    # sharing a boundary with it, or facing it: "buildings that border the river"
    **dict.fromkeys([(w,) for w in ("border", "borders", "adjoining", "adjoin", "adjoins",
                                    "fronting", "fronts")], "next_to"),
    # "buildings in the vicinity of the river", "cars in close proximity to the building"
    **dict.fromkeys([("in", "the", w, "of") for w in ("vicinity", "neighbourhood",
                                                      "neighborhood")]
                    + [("in", "close", "proximity", "to"), ("in", "proximity", "to"),
                       ("in", "close", "proximity", "of"), ("in", "proximity", "of"),
                       ("in", "the", "proximity", "of")], "near"),
    ("surround",): "near", ("surrounds",): "near", ("encircling",): "near",
    ("encircle",): "near", ("ringing",): "near",   # "trees that surround the pond"
    # looking onto it from beside it: "buildings overlooking the lake"
    ("overlooking",): "next_to", ("overlook",): "next_to", ("overlooks",): "next_to",
    ("along", "either", "side", "of"): "along",
    # running across it: "roads crossing the river", "paths that cross the field", "roads
    # through the forest" (relations.crosses)
    **dict.fromkeys([(w,) for w in ("crossing", "cross", "crosses", "intersecting", "intersect",
                                    "intersects", "traversing", "traverse", "traverses",
                                    "through", "bisecting", "bisect", "bisects")]
                    + [(v, p) for v in ("running", "going", "passing", "cutting", "leading")
                       for p in ("through", "across", "over")], "crosses"),
    # "the road that runs along the river", "a path running beside the canal", "the stream
    # flowing between the fields"
    **{(v, *words): kind for v in ("running", "runs", "run", "going", "goes", "passing",
                                   "passes", "pass", "stretching", "stretches", "extending",
                                   "extends", "flowing", "flows", "winding", "winds")
       for words, kind in ((("along",), "along"), (("alongside",), "along"),
                           (("beside",), "next_to"), (("next", "to"), "next_to"),
                           (("near",), "near"), (("parallel", "to"), "parallel"),
                           (("between",), "between"))},
}
#: after "with" and its anchor: on both sides of the target ("roads with buildings on both
#: sides (of them)": relations.both_sides)
BOTH_SIDES_WORDS: Tuple[Tuple[str, ...], ...] = (
    ("on", "both", "sides"), ("on", "either", "side"), ("on", "each", "side"),
    ("along", "both", "sides"), ("along", "either", "side"), ("both", "sides"),
    ("either", "side"))
#: "crossing" before an object is the relation, not a road's junction ("the road crossing
#: the river"; "the road crossing" alone is a junction)
CROSSING_VERBS: FrozenSet[str] = frozenset({"crossing", "crossings"})
OVERLAP_WORDS: Dict[Tuple[str, ...], str] = {
    ("on",): "on", ("in",): "on", ("at",): "on", ("over",): "on", ("on", "top", "of"): "on",
    ("covered", "by"): "on", ("covering",): "on",   # "buildings covered by trees"
    ("occupying",): "on",   # "cars occupying the parking lot"
    ("under",): "on", ("beneath",): "on", ("underneath",): "on",   # cars under the trees
    ("in", "the", "shade", "of"): "on", ("in", "the", "shadow", "of"): "on",   # crowns: SHADE
    ("inside",): "inside", ("within",): "inside", ("in", "the", "middle", "of"): "inside",
    ("in", "the", "centre", "of"): "inside",   # "the tree in the centre of the courtyard" (of
    ("in", "the", "center", "of"): "inside",   # the image: a region, read before relations)
}
#: where traffic is, so "busy" and "the busiest" mean vehicles: "busy streets", "the busiest
#: junction" (not a busy sidewalk: its traffic is people)
TRAFFIC_WAYS = frozenset({"road", "street", "highway", "motorway", "freeway", "expressway",
                          "avenue", "boulevard", "roadway", "carriageway", "intersection",
                          "junction", "roundabout", "route"})
#: "in the shade of X": seen from above, the shade of a crown is under it (on: "cars in the
#: shade of trees"), the shade of anything else lies beside it (next to: "trees in the shade of
#: the buildings"); these are the groups that shade what is under them
SHADE_WORDS = frozenset({"shade", "shadow"})
#: groups whose objects have nothing ("with" a pool, a garden, a courtyard): a "with" after
#: an anchor of another group is that anchor's ("cars near the house with a pool")
HAVING_NOTHING = frozenset({"vehicle"})
#: the touch words of shade ("trees shading the road": over it; "buildings shading the road":
#: beside it, where their shade falls)
SHADE_VERBS = frozenset({"shading", "shades", "overshadow", "overshadows", "overshadowing"})
SHADING_FROM_ABOVE = frozenset({"vegetation"})
#: the word -> the compass point of a direction relation (:data:`~.relations.BEARINGS`):
#: "north of", "to the southeast of", "on the northwestern side of"
DIRECTION_WORDS: Dict[str, str] = {
    "above": "north", "below": "south", "left": "west", "right": "east",
    **{p: p for p in COMPASS_POINTS}, **{p + "ern": p for p in COMPASS_POINTS}}
# "the northern road", "western buildings": the part of the image an object's centre is in
REGION_ADJECTIVES: Dict[str, Tuple[Optional[str], Optional[str]]] = {
    "northern": ("top", None), "southern": ("bottom", None), "eastern": (None, "right"),
    "western": (None, "left"), "central": ("centre", "centre"),
    "northwestern": ("top", "left"), "northeastern": ("top", "right"),
    "southwestern": ("bottom", "left"), "southeastern": ("bottom", "right")}
# image regions: word -> (row part, column part); None means "either"
REGION_WORDS: Dict[str, Tuple[Optional[str], Optional[str]]] = {
    "top": ("top", None), "upper": ("top", None), "bottom": ("bottom", None),
    "lower": ("bottom", None), "left": (None, "left"), "right": (None, "right"),
    "centre": ("centre", "centre"), "center": ("centre", "centre"),
    "middle": ("centre", "centre"), "north": ("top", None), "south": ("bottom", None),
    "east": (None, "right"), "west": (None, "left"), **REGION_ADJECTIVES,
    "northwest": ("top", "left"), "northeast": ("top", "right"),
    "southwest": ("bottom", "left"), "southeast": ("bottom", "right"),
}
REGION_NOUNS = frozenset({"image", "scene", "picture", "tile", "map", "area", "raster", "photo",
                          # as a GIS analyst names the extent a run reads
                          "aoi", "roi", "extent", "view", "frame", "imagery", "mosaic",
                          "orthophoto", "orthoimage"})
REGION_PARTS = frozenset({"corner", "part", "side", "half", "edge", "portion", "quarter",
                          "border", "third", "fifth", "quadrant"})
#: the share of an axis a part of the image named on one axis takes: "the top third", "the
#: western quarter", "the middle third" (on two axes, "the top left quarter" is the corner)
REGION_SHARES: Dict[str, float] = {"half": 0.5, "third": 1 / 3, "quarter": 0.25, "fifth": 0.2}
# "with red roofs", "that have a blue roof", "whose roof is red": the object's colour
ROOF_COLOUR_WORDS = frozenset({"with", "have", "has", "having", "whose"})
#: words after which a noun is had: "with a pool", "that have a red roof"
HAVING_WORDS = ROOF_COLOUR_WORDS - {"whose"}
#: how many anchor objects a relation needs: words before a number -> (offset to the least
#: count, negated). "with at least 3 cars", "more than 2" (at least 3), "fewer than 3" (not at
#: least 3), "at most 2" (not at least 3); after a number: "3 or more", "2 or fewer"
COUNT_BEFORE: Dict[Tuple[str, ...], Tuple[int, bool]] = {
    ("at", "least"): (0, False), ("more", "than"): (1, False), ("over",): (1, False),
    ("no", "fewer", "than"): (0, False), ("no", "less", "than"): (0, False),
    ("a", "minimum", "of"): (0, False), ("fewer", "than"): (0, True),
    ("less", "than"): (0, True), ("under",): (0, True), ("at", "most"): (1, True),
    ("no", "more", "than"): (1, True), ("a", "maximum", "of"): (1, True),
    ("up", "to"): (1, True)}
COUNT_AFTER: Dict[Tuple[str, ...], Tuple[int, bool]] = {
    ("or", "more"): (0, False), ("plus",): (0, False), ("or", "fewer"): (1, True),
    ("or", "less"): (1, True)}
#: before a number of anchor objects, that many and no more ("with exactly 2 cars")
EXACT_COUNT_WORDS: Tuple[str, ...] = ("exactly", "precisely")
#: vague quantities of anchor objects, read as the counts they are taken to mean (the plan
#: shows the count, and a number in the expression says another): "parking lots with many
#: cars" have at least 5, "roads with few cars" at most 2
VAGUE_COUNTS: Dict[str, str] = {
    "many": "at least 5", "lots of": "at least 5", "a lot of": "at least 5",
    "plenty of": "at least 5", "loads of": "at least 5", "numerous": "at least 5",
    "dozens of": "at least 24", "a large number of": "at least 5", "several": "at least 3",
    "hundreds of": "at least 100",
    "a number of": "at least 3", "multiple": "at least 2", "a few": "between 2 and 4",
    "a couple of": "between 2 and 3", "a pair of": "exactly 2", "few": "at most 2",
    "hardly any": "at most 2", "a handful of": "between 2 and 5"}
#: "a parking lot full of cars", "roads crowded with vehicles": with many of them
CROWDED_WORDS: Tuple[str, ...] = (
    "full of", "filled with", "crowded with", "packed with", "busy with", "jammed with",
    "congested with", "crammed with")
#: "non-vegetated areas", "non-built-up land": everything except what the word says covers
#: it ("unvegetated", "unforested" too; "unbuilt land" and "undeveloped land" are bare land)
UNCOVERED_WORDS: Dict[str, str] = {
    "vegetated": "vegetation", "green": "vegetation", "built": "buildings",
    "built up": "buildings", "forested": "trees", "wooded": "trees", "treed": "trees"}
#: the words of UNCOVERED_WORDS that also take "un": "unvegetated", "unforested"
UN_COVERED: Tuple[str, ...] = ("vegetated", "forested", "wooded", "treed")
#: nouns of ground in general: "areas without trees" are everything except trees
AREA_NOUNS: FrozenSet[str] = frozenset({
    "area", "areas", "place", "places", "part", "parts", "land", "ground", "region",
    "regions", "zone", "zones", "surface", "surfaces", "space", "spaces", "spot", "spots"})
#: the relations a count of anchor objects can qualify ("near at least 5 trees")
COUNTED_RELATIONS = frozenset({"with", "near", "next_to", "along", "within_m"})

#: the widest road or river "across the road from" is meant over (m): a four-lane road with
#: its verges; the anchor may be this plus twice the pair's next-to distance away
ACROSS_WIDTH_M = 20.0
#: a word before an object's name that places it along another object: "roadside trees",
#: "riverside houses" (the objects along the road, the river); a road or water name before
#: another object's name does the same ("street trees", "river houses")
SIDE_WORDS: Dict[str, str] = {
    "roadside": "road", "streetside": "road", "wayside": "road", "kerbside": "road",
    "curbside": "road", "kerb": "road", "curb": "road", "riverside": "water",
    "riverbank": "water", "lakeside": "water",
    "lakeshore": "water", "waterfront": "water", "waterside": "water", "seaside": "water",
    "seafront": "water", "beachfront": "water", "shoreline": "water", "canalside": "water"}
SIDE_GROUPS = frozenset({"road", "water"})
#: an edge one stands at, not on: "on the waterfront", "at the water's edge" are along it
EDGE_NAMES = frozenset(SIDE_WORDS) | {"shore", "coast", "coastline", "seashore", "waterline",
                                      "lakefront", "riverfront", "water's edge", "water edge",
                                      "river bank", "riverbanks", "river banks", "lake shore"}
#: places named by the building they belong to, which an image shows only as the ground beside
#: it that is no road: "cars in driveways", "trees in the backyard of the largest house" ->
#: the group of the default anchor (the relation is next to it, and not on the road)
PLACE_NOUNS: Dict[Tuple[str, ...], str] = {
    ("yard",): "building", ("backyard",): "building", ("back", "yard"): "building",
    ("front", "yard"): "building", ("frontyard",): "building", ("garden", "plot"): "building",
    ("driveway",): "building", ("forecourt",): "building", ("front", "garden"): "building",
    ("back", "garden"): "building", ("rear", "garden"): "building", ("rear", "yard"): "building"}
#: a settlement as a place ("cars in the village", "trees in urban areas"): near its
#: buildings, as an image shows a settlement only as buildings and the ground between them
#: (as a target, "villages" and "urban areas" are the buildings themselves)
SETTLEMENT_PLACES: FrozenSet[Tuple[str, ...]] = frozenset({
    ("village",), ("hamlet",), ("town",), ("city",), ("settlement",), ("suburb",),
    ("neighbourhood",), ("neighborhood",), ("urban", "area"), ("built", "up", "area"),
    ("town", "centre"), ("town", "center"), ("city", "centre"),
    ("city", "center"), ("village", "centre"), ("village", "center")})
# "buildings touching the road": a gap of at most this, as outlines traced from pixels of up
# to 0.6 m rarely meet exactly
TOUCH_WORDS = frozenset({"touch", "touches", "touching", "abut", "abuts", "abutting",
                         # a crown over a road hides it: the road's mask stops at the crown
                         "overhang", "overhangs", "overhanging", "shading", "shades",
                         "overshadow", "overshadows", "overshadowing",
                         # sharing ground with it: "buildings overlapping the road"
                         "overlap", "overlaps", "overlapping",
                         # over it, as an inspection asks: "buildings encroaching on the
                         # road", "trees blocking the road" (tokens: "encroaching on" is one)
                         "encroach", "encroaches", "encroaching", "blocking", "obstructing"})
#: the GIS predicate: an object that intersects another shares ground with it, as touching;
#: a road or river that intersects another crosses it ("crosses" in :data:`NEAR_WORDS`)
INTERSECT_VERBS = frozenset({"intersect", "intersects", "intersecting"})
TOUCH_M = 1.0
#: the edge of the processed extent as a place: "cars at the edge of the image", "buildings not
#: touching the image border" (an analyst counting whole objects leaves out those it cuts)
IMAGE_EDGE_NOUNS = frozenset({"edge", "edges", "border", "borders", "boundary", "boundaries",
                              "margin", "margins"})
#: the words before it -> (how far: "touching", cut by it or within TOUCH_M of it, or "near",
#: within IMAGE_EDGE_NEAR_SHARE of the extent's shorter side; negated): "away from" is not near
IMAGE_EDGE_PLACES: Dict[Tuple[str, ...], Tuple[str, bool]] = {
    **dict.fromkeys([("at",), ("on",), ("along",), ("touching",), ("touches",), ("touch",),
                     ("cut", "by"), ("cut", "off", "by"), ("cut", "off", "at"), ("cut", "at"),
                     ("clipped", "by"), ("crossing",),
                     ("crosses",), ("intersecting",), ("intersect",), ("intersects",),
                     ("against",), ("overlapping",), ("overlaps",), ("overlap",)],
                    ("touching", False)),
    **dict.fromkeys([("near",), ("close", "to"), ("next", "to"), ("beside",), ("by",),
                     ("towards",), ("toward",), ("around",)], ("near", False)),
    **dict.fromkeys([("away", "from"), ("far", "from")], ("near", True))}
IMAGE_EDGE_NEAR_SHARE = 0.1
#: "partly outside the image" is cut by its edge; "entirely inside the image" is not
PARTLY_WORDS = frozenset({"partly", "partially"})
ENTIRELY_WORDS = frozenset({"entirely", "fully", "completely", "wholly", "totally"})
# "in the image", "across the whole scene": the extent every expression is read in
WHOLE_IMAGE_PREPOSITIONS = ("in", "on", "of", "across", "throughout", "within")
WHOLE_IMAGE_WORDS = frozenset({"the", "this", "whole", "entire", "full"})

UNITS_M: Dict[str, float] = {"m": 1.0, "meter": 1.0, "meters": 1.0, "metre": 1.0, "metres": 1.0,
                             "km": 1000.0, "kilometer": 1000.0, "kilometers": 1000.0,
                             "kilometre": 1000.0, "kilometres": 1000.0, "ft": 0.3048,
                             "foot": 0.3048, "feet": 0.3048, "yd": 0.9144, "yard": 0.9144,
                             "yards": 0.9144, "mi": 1609.344, "mile": 1609.344,
                             "miles": 1609.344,
                             # as notes and tables abbreviate them
                             "mt": 1.0, "mtr": 1.0, "mtrs": 1.0, "mts": 1.0, "kms": 1000.0,
                             "yds": 0.9144}
# "larger than 100 m2", "over 2 ha", "shorter than 10 m": a threshold on each object's
# ground area (an area unit) or its length (a length unit: the longer side)
COMPARATIVES: Dict[Tuple[str, ...], str] = {
    ("larger", "than"): "above", ("bigger", "than"): "above", ("greater", "than"): "above",
    ("longer", "than"): "above", ("wider", "than"): "above", ("more", "than"): "above",
    ("over",): "above",
    ("above",): "above", ("at", "least"): "above", ("exceeding",): "above", (">",): "above",
    ("≥",): "above", ("smaller", "than"): "below", ("shorter", "than"): "below",
    ("narrower", "than"): "below",
    ("less", "than"): "below", ("under",): "below", ("below",): "below",
    ("at", "most"): "below", ("up", "to"): "below", ("<",): "below", ("≤",): "below"}
# "100 m2 or more", "5 m and under": the comparison after the amount
TRAILING_COMPARATIVES: Dict[Tuple[str, ...], str] = {
    ("or", "more"): "above", ("or", "larger"): "above", ("or", "bigger"): "above",
    ("or", "longer"): "above", ("and", "above"): "above", ("and", "over"): "above",
    ("and", "more"): "above", ("and", "larger"): "above", ("and", "bigger"): "above",
    ("and", "longer"): "above", ("or", "less"): "below", ("or", "smaller"): "below",
    ("or", "shorter"): "below", ("and", "below"): "below", ("and", "under"): "below",
    ("and", "less"): "below", ("and", "smaller"): "below", ("and", "shorter"): "below"}
_SQ_FT = 0.09290304
AREA_UNITS_M2: Dict[Tuple[str, ...], float] = {
    ("m", "2"): 1.0, ("m²",): 1.0, ("sqm",): 1.0, ("sq", "m"): 1.0, ("square", "m"): 1.0,
    ("square", "metres"): 1.0, ("square", "meters"): 1.0, ("square", "metre"): 1.0,
    ("square", "meter"): 1.0, ("km", "2"): 1e6, ("km²",): 1e6, ("sq", "km"): 1e6,
    ("square", "kilometres"): 1e6, ("square", "kilometers"): 1e6, ("ha",): 1e4,
    ("hectare",): 1e4, ("hectares",): 1e4, ("ft", "2"): _SQ_FT, ("ft²",): _SQ_FT,
    ("sq", "ft"): _SQ_FT, ("square", "feet"): _SQ_FT, ("square", "foot"): _SQ_FT,
    ("acre",): 4046.8564224, ("acres",): 4046.8564224, ("sq", "metres"): 1.0,
    ("sq", "meters"): 1.0, ("sq", "metre"): 1.0, ("sq", "meter"): 1.0, ("sq", "mtrs"): 1.0,
    ("sq", "kilometres"): 1e6, ("sq", "kilometers"): 1e6, ("sq", "feet"): _SQ_FT,
    ("sqft",): _SQ_FT, ("sqkm",): 1e6,
    **dict.fromkeys([("square", "mile"), ("square", "miles"), ("sq", "mi"), ("sq", "mile"),
                     ("sq", "miles"), ("mi", "2"), ("mi²",)], 1609.344 ** 2),
    **dict.fromkeys([("square", "yard"), ("square", "yards"), ("sq", "yd"), ("sq", "yds"),
                     ("sq", "yard"), ("sq", "yards"), ("yd", "2"), ("yd²",)], 0.9144 ** 2)}
SIZE_NOUNS = frozenset({"area", "size", "footprint", "surface", "length", "width", "diameter"})
WIDTH_COMPARATIVES = frozenset({("wider", "than"), ("narrower", "than")})
#: a comparative against its category's mean: before the name ("the larger buildings", "darker
#: cars") or before "than average" ("roofs lighter than the others"); darker and brighter
#: compare the lightness L* of the objects' median colours
COMPARATIVE_WORDS: Dict[str, Tuple[str, str]] = {
    "larger": ("area", "above"), "bigger": ("area", "above"), "smaller": ("area", "below"),
    "longer": ("length", "above"), "shorter": ("length", "below"),
    "wider": ("width", "above"), "broader": ("width", "above"), "narrower": ("width", "below"),
    "darker": ("lightness", "below"), "brighter": ("lightness", "above"),
    "lighter": ("lightness", "above")}
#: after a comparative's "than": its category's mean ("than average", "than the others")
THAN_AVERAGE_WORDS = frozenset({"average", "mean", "others", "rest", "most", "usual",
                                "normal", "typical"})
ROOF_NOUNS = frozenset({"roof", "roofs", "roofing", "rooftop", "rooftops", "top", "tops"})
NUMBER_WORDS: Dict[str, int] = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                                "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twenty": 20,
                                "fifty": 50, "hundred": 100}
# "the second largest building": the position in a rank
#: a share of the objects a rank keeps: "the smallest half of the buildings", "the largest
#: 10 % of them" ("%" and "per cent" are "percent")
SHARE_WORDS: Dict[str, float] = {"half": 1 / 2, "third": 1 / 3, "quarter": 1 / 4, "fifth": 1 / 5,
                                 "tenth": 1 / 10}
ORDINAL_WORDS: Dict[str, int] = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
                                 "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
ORDINAL_SUFFIXES: FrozenSet[str] = frozenset({"st", "nd", "rd", "th"})   # "2nd" is "2", "nd"
#: the words that join two readings, objects or attributes ("cars and trucks", "red or white")
CONJUNCTIONS: FrozenSet[str] = frozenset({"and", "or", ","})
FILLER_WORDS: FrozenSet[str] = frozenset({
    "the", "a", "an", "all", "any", "every", "each", "some", "that", "which", "who", "are",
    "is", "be", "being", "located", "situated", "standing", "parked", "lying", "found",
    "growing", "planted", "seen", "shown", "depicted", "pictured",
    "visible", "there", "of", "those", "these", "this", "please", "show", "me", "find",
    "select", "segment", "highlight", "mark", "only", "just", "areas", "area", "kindly", "kept",
    # what an analyst asks a tool to do: "extract building footprints", "where are the cars"
    "extract", "detect", "identify", "locate", "delineate", "digitize", "digitise", "outline",
    "where", "get", "give", "list", "what", "arranged", "placed", "positioned",
    "ones", "but", "either", "both", "individual", "for",
    # hedges, which ask for the same thing less firmly: "slightly larger than average",
    # "somewhat near the road", "fairly small houses" ("fairly", "relatively" below)
    "slightly", "somewhat", "comparatively", "moderately",
    # a count is asked: every answer is a count of its objects ("how many cars", "count the
    # buildings", "the number of trees")
    "count", "how", "many", "number", "total",
    # degrees the relations and attributes already hold in their own sense: "completely
    # surrounded by", "fully inside", "fairly large" is large; "too close to the river" near it
    "quite", "rather", "too", "fairly", "relatively", "reasonably", "pretty", "completely", "fully",
    "entirely", "totally", "wholly", "clearly", "whatsoever"})
# "anything red", "everything within 50 m of the river", "objects on the road": every object
# the model knows (one umbrella category per group, :attr:`Vocabulary.every_object`); after a
# category name ("vehicle objects") only a filler
GENERIC_NOUNS: FrozenSet[str] = frozenset({
    "anything", "everything", "something", "object", "objects", "thing", "things", "feature",
    "features", "item", "items", "stuff"})
# "clusters of buildings", "cars in a row": each object in a group of at least GROUP_MIN
# of its kind, each within the pair's "near" distance of the next (one chain, not a circle)
GROUP_NOUNS: FrozenSet[str] = frozenset({
    "group", "groups", "cluster", "clusters", "row", "rows", "line", "lines", "clump",
    "clumps", "bunch", "bunches", "queue", "queues"})
GROUP_MIN = 3
# parts of the road found in its mask, as an anchor: "cars at the intersection", "buildings
# near the junction" (relations.junctions)
JUNCTION_NOUNS: FrozenSet[str] = frozenset({
    "intersection", "intersections", "junction", "junctions", "crossroads", "crossroad",
    "crossing", "crossings", "roundabout", "roundabouts", "streetcorner", "streetcorners",
    "interchange", "interchanges"})
# the road where it crosses water, found in the two masks, as an anchor or a target: "cars on
# the bridge", "bridges" (relations.bridges)
BRIDGE_NOUNS: FrozenSet[str] = frozenset({"bridge", "bridges"})
#: where a road stops inside the image, as an anchor or a target: "buildings at the end of the
#: road", "dead ends", "cul-de-sacs" (relations.road_ends); "the end of" + a road's name too
ROAD_END_PHRASES: Tuple[Tuple[str, ...], ...] = (
    ("dead", "end"), ("dead", "ends"), ("cul", "de", "sac"), ("cul", "de", "sacs"),
    ("culs", "de", "sac"), ("road", "end"), ("road", "ends"), ("street", "end"),
    ("street", "ends"), ("end",), ("ends",))
#: the ground inside the water's outline, as an anchor or a target: "trees on the island",
#: "islands in the river" (relations.islands)
ISLAND_NOUNS: FrozenSet[str] = frozenset({"island", "islands", "islet", "islets"})
#: where a road's (a river's) course turns sharply, as an anchor or a target: "cars at the
#: bend", "the bend in the river", "hairpins" (relations.bends)
BEND_NOUNS: FrozenSet[str] = frozenset({"bend", "bends", "hairpin", "hairpins", "curve",
                                        "curves"})
#: the parts found in masks, by their nouns (see the parser's mask_part)
ROAD_PART_NOUNS: FrozenSet[str] = JUNCTION_NOUNS | BRIDGE_NOUNS | BEND_NOUNS
PART_NOUNS: FrozenSet[str] = ROAD_PART_NOUNS | ISLAND_NOUNS
#: after a part of the image's word, the share of each axis of an object's own box a part of
#: it takes: "the northern half of the forest", "the west end of the road" (the quarter that
#: way), "the top third of the lake", "the northeast corner of the field" (a third each way)
OWN_PART_SHARES: Dict[str, float] = {
    **dict.fromkeys(("part", "parts", "half", "section", "portion", "side"), 0.5),
    "third": 1 / 3, "quarter": 0.25, "end": 0.25, "corner": 1 / 3}
#: an object's edge as a target ("the forest edge", "the southern edge of the lake", "the field
#: boundaries"): the strip of it along its outline (:func:`~.relations.edges`)
OBJECT_EDGE_NOUNS: FrozenSet[str] = IMAGE_EDGE_NOUNS | {"fringe", "fringes"}
#: and its interior ("the forest interior", "the interior of the lake"): the rest of it
OBJECT_INTERIOR_NOUNS: FrozenSet[str] = frozenset({"interior", "interiors"})
#: "the part (section, stretch) of the road along the river": the ground of an object where
#: what is said after it holds, cut out of its outline (:attr:`~.plan.Target.clipped`)
CLIP_NOUNS: FrozenSet[str] = frozenset({"part", "parts", "section", "sections", "stretch",
                                        "stretches", "portion", "portions", "segment",
                                        "segments"})
#: the parts of a road: "at" one is beside it for all but vehicles ("buildings at the
#: junction"), "on" one beside it for buildings ("houses on dead-end streets")
ROAD_PARTS: FrozenSet[str] = frozenset({"junction", "bridge", "end", "bend"})
# group nouns that also say how the group is laid out: in a line (relations.row_sizes)
LINE_NOUNS: FrozenSet[str] = frozenset({"row", "rows", "line", "lines", "queue", "queues"})


def group_kind(noun: str) -> str:
    """The relation a group noun asks for: "row" for a group in a line ("cars in a row",
    "a queue of trucks"), "group" for the others ("clusters of houses")."""
    return "row" if noun in LINE_NOUNS else "group"


# "patches of grass", "a stand of trees": read as the objects themselves (a note says so)
#: after an object's name, its outline as a GIS layer holds it: "building footprints", "house
#: outlines", "tree polygons" are the objects
OUTLINE_NOUNS: FrozenSet[str] = frozenset({"footprint", "footprints", "outline", "outlines",
                                           "polygon", "polygons"})
#: after a road's or a river's name, the line a GIS layer draws down its middle ("road
#: centrelines"; "centre lines" and "center line" are one word, :mod:`.tokens`): the objects,
#: said, since the model marks their surface
CENTRE_LINE_NOUNS: FrozenSet[str] = frozenset({"centreline", "centrelines"})
COLLECTIVE_NOUNS: FrozenSet[str] = frozenset({
    "patch", "patches", "stand", "stands", "belt", "belts", "strip", "strips", "stretch",
    "stretches", "expanse", "expanses", "section", "sections", "segment", "segments"})
#: before a measure without a comparative: a range around it ("of about 500 m2")
APPROXIMATE_WORDS = ("about", "around", "approximately", "roughly", "circa")
NEGATION_WORDS: FrozenSet[str] = frozenset({"not", "no", "never", "non", "without", "except",
                                            "excluding"})
#: motion, which one image does not show: "moving cars" go to the model whole; before a place
#: ("cars driving on the road") the place is read, the motion noted (:data:`~.tokens.REWRITES`)
MOTION_WORDS = ("moving", "driving", "stationary", "travelling", "traveling", "speeding",
                "stopped", "stopping", "waiting", "idling", "exiting", "entering", "approaching",
                "plying", "queuing", "queueing", "queued")
#: the way a vehicle points: before a compass word, the axis it lies along ("cars facing
#: north": north-south, which end is the front not told; :data:`~.tokens.REWRITES`)
FACING_WORDS = ("facing", "faces", "face", "pointing", "points", "pointed", "headed", "heading")
# what an image does not show, or the grounding cannot measure: said, not guessed (the
# expression still goes to the model whole, which may have learnt the word)
UNMEASURED_WORDS: Dict[str, str] = {
    **dict.fromkeys(("tall", "taller", "tallest", "high", "higher", "highest", "highrise",
                     "storey", "storeys", "story", "stories", "floors", "floor", "multistorey",
                     "skyscraper", "skyscrapers", "elevated", "lowest"),
                    "a height, which one image does not measure"),
    **dict.fromkeys(("metal", "metallic", "tin", "concrete", "wooden", "wood", "brick", "thatched",
                     "asphalt", "gravel", "tiled", "corrugated", "unpaved", "tarmac", "iron",
                     "cobbled", "cobblestone"),
                    "a material, which the grounding does not tell apart"),
    **dict.fromkeys(MOTION_WORDS, "motion, which one image does not show"),
    **dict.fromkeys(("flat", "pitched", "gabled", "hipped", "sloped", "sloping", "domed"),
                    "a roof's form, which the grounding does not tell apart"),
    **dict.fromkeys(("blocked", "impassable", "obstructed",
                     "damaged", "destroyed", "collapsed", "ruined", "burnt", "burned",
                     "abandoned", "derelict", "dead", "dying", "diseased", "healthy",
                     "construction", "unfinished", "dry", "dried", "wet", "fallen",
                     "uprooted", "toppled"),
                    "a condition, which the grounding does not tell apart"),
    **dict.fromkeys(("new", "newly", "recent", "recently", "old", "historic", "young",
                     "mature", "ageing", "aging"),
                    "an age, which one image does not show"),
    **dict.fromkeys(("changed", "change", "changes", "appeared", "disappeared", "removed",
                     "demolished", "razed"), "a change, which one image does not show"),
    **dict.fromkeys(("night", "nighttime", "today", "yesterday"),
                    "a time, which one image does not show"),
    **dict.fromkeys(("industrial", "residential", "commercial", "religious", "municipal"),
                    "a building's use, which one image does not show"),
    # "cars in the shade of trees" is a relation (SHADING_FROM_ABOVE); shade on its own is not
    # measured: the sun's direction is not known
    **dict.fromkeys(("shade", "shaded", "shadow", "shadows", "shadowed", "sunlit", "sunny",
                     "sun", "sunshine"),
                    "light and shade, which the grounding does not measure (only 'in the shade "
                    "of' an object)"),
    **dict.fromkeys(("uphill", "downhill", "hilltop", "slope", "slopes",
                     "steep"), "the lie of the land, which one image does not measure"),
    **dict.fromkeys(("informal", "illegal", "illegally", "unauthorised", "unauthorized",
                     "unplanned", "unlawful", "unlawfully", "unpermitted", "legally",
                     "encroachment", "encroachments"),
                    "a legal status, which one image does not show"),
    **dict.fromkeys(("upstream", "downstream"),
                    "the water's flow, which one image does not show"),
    **dict.fromkeys(("risk", "risks", "prone", "vulnerable", "floodplain", "floodplains"),
                    "a risk, which one image does not show"),
    # a tree's species or a field's crop: "mango trees", "maize fields", "pine forest"
    **dict.fromkeys(("pine", "pines", "oak", "oaks", "fir", "firs", "spruce", "birch", "maple",
                     "olive", "cypress", "mango", "coconut", "eucalyptus", "acacia", "citrus",
                     "apple", "teak", "cedar", "beech", "willow", "poplar", "baobab", "maize",
                     "corn", "wheat", "barley", "sorghum", "millet", "cassava", "sugarcane",
                     "banana", "tea", "coffee", "cocoa", "cacao", "cotton", "soy", "soybean",
                     "potato", "coniferous", "conifer", "conifers", "deciduous",
                     "evergreen", "broadleaf", "broadleaved", "hardwood", "softwood"),
                    "a species or a crop, which the grounding does not tell apart"),
}
#: names of a building by its use (singular): read as any building, and said so in the
#: plan's notes
BUILDING_USES: FrozenSet[str] = frozenset({
    "school", "church", "mosque", "temple", "hospital", "office", "shop", "store", "factory",
    "hotel", "mall", "stadium", "depot", "supermarket", "market", "university", "college",
    "kindergarten", "library", "museum", "restaurant", "clinic", "prison", "cinema", "theatre",
    "theater", "gym", "hall", "station"})
#: a building's use said by an adjective before its name ("industrial buildings", "farm
#: buildings", "a residential house"): read as any building (:data:`~.tokens.REWRITES`), said
#: so; elsewhere ("residential areas") the use is said not to be shown
BUILDING_USE_WORDS: Tuple[str, ...] = ("industrial", "residential", "commercial", "religious",
                                       "municipal", "agricultural", "administrative", "public",
                                       "government", "governmental", "farm", "educational",
                                       "institutional", "civic", "office", "retail",
                                       "family", "multifamily")
#: a settlement's part named by its use, a place like "the town" (:data:`SETTLEMENT_PLACES`):
#: "cars in residential areas", "trucks in the industrial zone" are near its buildings, and
#: the plan says the use is not seen ("residential areas" asked for are no object, said)
USE_PLACES: FrozenSet[Tuple[str, ...]] = frozenset(
    (use, place) for use in ("residential", "industrial", "commercial", "business", "retail")
    for place in ("area", "district", "zone", "quarter", "estate", "neighbourhood",
                  "neighborhood", "park"))
#: the names a use adjective of :data:`BUILDING_USE_WORDS` is read before (singular)
USE_ADJECTIVE_NOUNS: Tuple[str, ...] = ("building", "house", "structure", "home", "dwelling")
#: names of a building by a status that is not seen either: read as any building, said so
BUILDING_STATUSES: FrozenSet[str] = frozenset({"slum"})
# a word that is a relation, negated: read as that relation with "not"
NEGATED_FORMS: Dict[Tuple[str, ...], str] = {
    ("without",): "with",                            # "without red roofs", "without cars"
    ("with", "none"): "with",                        # "with no cars" (:mod:`.tokens`)
    ("outside",): "in", ("outside", "of"): "in",     # "outside (of) the parking lot"
    ("off",): "on", ("off", "of"): "on",             # "cars parked off the road"
    ("set", "back", "from"): "beside"}               # "houses set back from the road"

# Words the shipped models were trained on (RefSegRS vocabulary and the phrases of
# ``training/sources``): the end-to-end path knows them even where grounding does not.
# A test keeps this list a superset of the adapters' word tuples.
TRAINING_WORDS: FrozenSet[str] = frozenset(
    "building buildings house houses roof roofs all vehicle vehicles car cars van vans truck "
    "trucks bus buses trailer road roads street streets the on along next to water sea "
    "vegetation green trees tree and low land bare unpaved sand surrounded by largest "
    "impervious surface sidewalk bikeway marking parking lot grass greenery body pavement "
    "bike lane".split())

# "next to" distance in metres per (target group, anchor group), either order; the
# reasoning is in docs/grounding.md
DEFAULT_NEXT_TO_M = 5.0
_PAIR_DISTANCES_M: Mapping[FrozenSet[str], float] = {
    frozenset({"vehicle", "road"}): 3.0,
    frozenset({"vehicle", "building"}): 5.0,
    frozenset({"vehicle"}): 3.0,
    frozenset({"building", "road"}): 10.0,
    frozenset({"building"}): 5.0,
    frozenset({"vegetation", "road"}): 5.0,
    frozenset({"vegetation", "building"}): 5.0,
    frozenset({"water", "building"}): 20.0,
    frozenset({"water", "road"}): 20.0,
    frozenset({"water", "vegetation"}): 10.0,
    frozenset({"water", "vehicle"}): 20.0,
    frozenset({"land", "building"}): 5.0,
}


def next_to_distance_m(target_group: str, anchor_group: str) -> float:
    """Default "next to"/"along" distance for this pair of category groups."""
    return _PAIR_DISTANCES_M.get(frozenset({target_group, anchor_group}), DEFAULT_NEXT_TO_M)


def superlative(word: Optional[str]) -> Optional[str]:
    """The rank a superlative asks for: one of :data:`SIZE_RANKS` (largest, widest, darkest,
    ...) or nearest | farthest; None for another word."""
    if word is None:
        return None
    if SIZE_WORDS.get(word) in SIZE_RANKS:
        return SIZE_WORDS[word]
    return DISTANCE_SUPERLATIVES.get(word)


def singular_phrase(phrase: str) -> str:
    """The phrase with its last word singular: "parking lots" -> "parking lot"."""
    words = phrase.split()
    return " ".join(words[:-1] + [singular(words[-1])]) if words else phrase


def group_of(category: str) -> str:
    """The lexicon group of a category ("other" for one the lexicon does not have)."""
    return BASE_VOCABULARY.group_of(category)


def known_word(word: str) -> bool:
    """Whether the grounding vocabulary or the models' training vocabulary has this word."""
    return (word in _ALL_WORDS or singular(word) in _ALL_WORDS
            or word.replace(".", "", 1).isdigit())


#: known words no slip was meant as: "times" only as the tokenizer writes it ("larger than 2
#: times" of "twice as large as": "at night time" is no slip for it), and colour names that
#: are everyday words a letter away from others ("good", "told" are no slips for "gold"),
#: rare words that more common ones are slips away from ("suitable" is no "sizable")
NOT_SLIP_TARGETS: FrozenSet[str] = frozenset({"times", "gold", "golden", "lime", "mint",
                                              "peach", "salmon", "bronze", "charcoal",
                                              "sizable", "sizeable", "flowing", "flows",
                                              "winds"})


def _all_words() -> FrozenSet[str]:
    words = set(TRAINING_WORDS) | set(FILLER_WORDS) | set(NEGATION_WORDS)
    for c in CATEGORIES:
        for n in c.names:
            words.update(n.split())
    words.update(COLOURS, SIZE_WORDS, INTENSIFIERS, SHAPE_WORDS, DIRECTION_WORDS, REGION_WORDS,
                 REGION_NOUNS, REGION_PARTS, WHOLE_IMAGE_PREPOSITIONS, WHOLE_IMAGE_WORDS, UNITS_M,
                 ROOF_COLOUR_WORDS, TOUCH_WORDS, NUMBER_WORDS, SIZE_NOUNS, ROOF_NOUNS, SIDE_WORDS,
                 DISTANCE_SUPERLATIVES, ORDINAL_WORDS, ORDINAL_SUFFIXES, OWN_KIND_WORDS,
                 REGION_ADJECTIVES, COLLECTIVE_NOUNS, GROUP_NOUNS, PART_NOUNS, GENERIC_NOUNS,
                 COMPASS_BEARINGS, DIAGONAL_WORDS, EXACT_COUNT_WORDS, IMAGE_EDGE_NOUNS,
                 PARTLY_WORDS, ENTIRELY_WORDS, SHARE_WORDS, OUTLINE_NOUNS, CENTRE_LINE_NOUNS,
                 OBJECT_INTERIOR_NOUNS,
                 {"roofed", "shaped", "sized", "percent"})
    words.update(COMPARATIVE_WORDS, THAN_AVERAGE_WORDS)
    for table in (NEAR_WORDS, OVERLAP_WORDS, COMPARATIVES, TRAILING_COMPARATIVES, COUNT_BEFORE,
                  COUNT_AFTER, PLACE_NOUNS, AREA_UNITS_M2, NEGATED_FORMS, IMAGE_EDGE_PLACES,
                  ROAD_END_PHRASES):
        for phrase in table:
            words.update(phrase)
    words.update({"and", "or", "than", "more", "less", "least", "most", "from", "of", "to",
                  "nearer", "same", "as", "times", "similar",   # "larger than 2 times",
                  # "similar in size to" (tokens.REWRITES: "twice as large as", "the same
                  # size as")
                  "long", "wide",
                  "within", *APPROXIMATE_WORDS, "up", "side", "corner", "image", "farther",
                  "further",
                  "closer", "under", "beyond", "over", "away", "coloured", "colored", "colour",
                  "with", "between", "towards", "toward", "other", "another", "opposite", "mean",
                  "fewest",
                  "its", "their", "radius", "them", "it", "empty", "unoccupied", "neither",
                  "nor"})
    return frozenset(words)


_ALL_WORDS = _all_words()
#: words known only as part of a place named by its use ("industrial" of "in the industrial
#: zone"): not unknown, but no content of their own ("residential areas" names nothing the
#: model knows, as before)
PLACE_ONLY_WORDS = frozenset(w for phrase in USE_PLACES for w in phrase) - _ALL_WORDS
_ALL_WORDS = _ALL_WORDS | PLACE_ONLY_WORDS
#: things seen from above that the default model was not taught: unknown words, never taken
#: for a slip of the keyboard ("ships" is not "shops", "boat" not "boot"); a fine-tuned model
#: that learnt one names it in its card, which makes it known
UNTAUGHT_OBJECTS: FrozenSet[str] = frozenset({
    # craft and vehicles the model does not segment
    "ship", "boat", "yacht", "ferry", "canoe", "kayak", "plane", "airplane", "aircraft",
    "aeroplane", "jet", "helicopter", "rail", "railroad", "track", "bicycle", "motorcycle",
    "motorbike", "scooter", "crane",
    # people and animals ("cats" is too often "cars" to be read as typed)
    "person", "people", "crowd", "cow", "cattle", "sheep", "goat", "horse", "animal", "dog",
    "bird", "nest",
    # structures and things on the ground
    "tent", "shelter", "tower", "pylon", "mast", "turbine", "windmill", "mill", "container",
    "panel", "solar", "tank", "silo", "chimney", "antenna", "dish", "dome", "fence", "wall",
    "pole", "sign", "lamp", "wire", "cable", "pipe", "port", "dock", "pier", "quay", "jetty",
    "grave", "tomb", "airport", "airfield", "aerodrome", "arrow",
    # ground, landforms, weather, tree kinds
    "rock", "boulder", "mud", "hill", "valley", "cliff", "smoke", "snow", "ice",
    "cloud", "pine", "oak", "fir", "spruce", "birch", "maple", "olive", "cypress"})
#: untaught objects named in words the grounding knows alone ("power" of "power station",
#: "line" of "tree line"), singular: read as one unknown object, "power lines" as "ships" is,
#: not sent to the model whole (which answers "power lines along the road" with the road)
UNTAUGHT_NAMES: FrozenSet[str] = frozenset({
    "railway", "railway line", "railway track", "rail line", "rail track", "train track",
    "train", "tram line", "tram track", "power line", "power cable", "transmission line",
    "electricity line", "solar farm", "solar park", "wind farm", "wind park", "container yard",
    "car wash", "bus stop", "traffic light", "street light"})
_UNTAUGHT_NAME_WORDS = max(len(n.split()) for n in UNTAUGHT_NAMES)
#: the words such a name begins with, as typed ("trains" too): the only places to look
_UNTAUGHT_FIRST = frozenset(w for n in UNTAUGHT_NAMES for w in (
    (n, *plural_forms(n)) if " " not in n else (n.split()[0],)))


@dataclass(frozen=True)
class Vocabulary:
    """The categories an expression can name: the lexicon's own, and those a model's card
    adds (:func:`vocabulary_of`). A model fine-tuned on "solar panel" is asked for solar
    panels by that name instead of "unknown word 'solar'"; a class it shares with the
    lexicon is asked in the words it was trained on."""

    categories: Tuple[Category, ...] = CATEGORIES
    #: the groups the model learnt side by side (a fine-tuned model: its card's classes);
    #: None: all of the lexicon's (the default model). Rival categories stay among them.
    learnt_groups: Optional[FrozenSet[str]] = None
    #: the groups of the classes a fine-tuned model leaves to the model it was made from,
    #: which segmented them better on the validation part (its card's ``base_classes``)
    base_groups: FrozenSet[str] = frozenset()
    #: the categories of :data:`LENGTH_KINDS` the model did not learn (its card's validation
    #: figures): read as their group's umbrella of that length (:mod:`.kinds`)
    by_length: FrozenSet[str] = frozenset()

    def learnt(self, group: str) -> bool:
        return self.learnt_groups is None or group in self.learnt_groups

    @cached_property
    def names(self) -> Dict[str, str]:
        """name or synonym -> category (a later category's name wins: the model's own)."""
        return {n: c.name for c in self.categories for n in c.names}

    @cached_property
    def by_name(self) -> Dict[str, Category]:
        return {c.name: c for c in self.categories}

    @cached_property
    def max_name_words(self) -> int:
        return max(len(n.split()) for c in self.categories for n in c.names)

    @cached_property
    def _own_words(self) -> FrozenSet[str]:
        return frozenset(w for c in self.categories for n in c.names for w in n.split())

    @cached_property
    def every_object(self) -> Tuple[str, ...]:
        """What "anything" names: per group the category named as the group ("vehicle",
        "vegetation"), else its first ("bare land"); and each class of a model's card the
        lexicon does not have (group ``other``: "solar panel")."""
        out: Dict[Tuple[str, str], str] = {}
        for c in self.categories:
            if c.group == "other":
                out["class", c.name] = c.name
            elif c.name == c.group or ("group", c.group) not in out:
                out["group", c.group] = c.name
        return tuple(out.values())

    def known_word(self, word: str) -> bool:
        return known_word(word) or word in self._own_words or singular(word) in self._own_words

    def untaught_joined(self, tokens: Sequence[str]) -> Tuple[List[str], FrozenSet[str]]:
        """``tokens`` with each name of :data:`UNTAUGHT_NAMES` joined into one token
        ("power lines"), and those tokens: unknown words, whatever their words are alone; not
        where the words begin a name the vocabulary has ("railway station", a building; a
        model's card class "power line")."""
        out: List[str] = []
        untaught = set()
        i = 0
        while i < len(tokens):
            if tokens[i] not in _UNTAUGHT_FIRST:
                out.append(tokens[i])
                i += 1
                continue
            for n in range(min(_UNTAUGHT_NAME_WORDS, len(tokens) - i), 0, -1):
                words = tokens[i:i + n]
                name = " ".join([*words[:-1], singular(words[-1])])
                if (name in UNTAUGHT_NAMES and self.category_named(" ".join(words)) is None
                        and not self._names_from(tokens, i)):
                    out.append(" ".join(words))
                    untaught.add(out[-1])
                    i += n
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out, frozenset(untaught)

    def _names_from(self, tokens: Sequence[str], i: int) -> bool:
        """Whether a category name begins at ``tokens[i]``, of more words than one."""
        return any(self.category_named(" ".join(tokens[i:i + n])) is not None
                   for n in range(2, self.max_name_words + 1) if i + n <= len(tokens))

    @cached_property
    def _slip_targets(self) -> Tuple[str, ...]:
        """Every word a slip of the keyboard may have been meant as: the known words (but
        :data:`NOT_SLIP_TARGETS`), the object names in both numbers, the model's class words."""
        words = {w for w in _ALL_WORDS | self._own_words if w.isalpha()} - NOT_SLIP_TARGETS
        words.update(p for n in self.names for w in n.split() if w.isalpha()
                     for p in plural_forms(singular(w)))
        words.update(IRREGULAR)
        return tuple(sorted(words))

    def readings(self, word: str, also: Collection[str] = ()) -> Tuple[Tuple[str, float], ...]:
        """The known words an unknown ``word`` may be a slip for, with their costs, likeliest
        first (:func:`.slips.readings`); none for a word typed as meant: an object the model
        was not taught (:data:`UNTAUGHT_OBJECTS`) or what one image does not show
        (:data:`UNMEASURED_WORDS`: "storey" is no slip for "store"), a word of a place named
        by its use ("zone": :data:`PLACE_ONLY_WORDS`). ``also``: more words
        it may be meant as (those the tokenizer's rewrites read), each meant as typed too: "I'd
        like to see" after another sentence is not "I'd lake to sea"."""
        if any(w in UNTAUGHT_OBJECTS or w in UNTAUGHT_NAMES or w in UNMEASURED_WORDS
               or w in PLACE_ONLY_WORDS or w in also for w in (word, singular(word))):
            return ()
        return readings(word, (*self._slip_targets,
                               *(w for w in also if w not in NOT_SLIP_TARGETS)))

    def group_of(self, category: str) -> str:
        return self.by_name[category].group if category in self.by_name else "other"

    def category_named(self, phrase: str) -> Optional[str]:
        """The category a class name or synonym names ("houses" -> building), else None."""
        words = as_phrase(phrase)
        if not words:
            return None
        return self.names.get(words) or self.names.get(singular_phrase(words))

    def overlapping(self, a: str, b: str) -> bool:
        """Whether two class names can name the same object: one category ("house",
        "building"), or a group's umbrella and one of its members ("vehicle", "car")."""
        ca, cb = self.category_named(a), self.category_named(b)
        if ca is None or cb is None:
            return as_phrase(a) == as_phrase(b)
        ga, gb = self.group_of(ca), self.group_of(cb)
        return ca == cb or (ga == gb and ga in (ca, cb))


BASE_VOCABULARY = Vocabulary()


def normalise(text: str) -> str:
    """Lower case, hyphens and underscores as spaces: how the parser reads an expression
    (before splitting it into words) and a model's class name alike."""
    return text.lower().replace("-", " ").replace("_", " ")


def as_phrase(text: str) -> str:
    """A name as the parser reads it, one space between words: "Solar-Panel" -> "solar
    panel", "Built-up" -> "built up"."""
    return " ".join(normalise(text).split())


def vocabulary_of(card: Optional[Mapping[str, Any]], policy: bool = True) -> Vocabulary:
    """The vocabulary of a model (:func:`_with_classes`), reading by length (``by_length``)
    the kinds of :data:`LENGTH_KINDS` the card shows it did not learn and its
    ``grounding_policy`` measured better read so than asked of the model (family "van by
    length" decided ``grounded``); ``policy=False``: every unlearnt kind, as the measurement
    needs."""
    from .kinds import KIND_FAMILY
    from .learnt import unlearnt_words
    from .policy import policy_of

    vocabulary = _with_classes(card)
    decided = policy_of(card) if policy else {}
    named = (vocabulary.category_named(w) for w in unlearnt_words(card))
    kinds = frozenset(c for c in named if c in LENGTH_KINDS and (not policy or decided.get(
        KIND_FAMILY.format(kind=c), {}).get("decision") == "grounded"))
    return replace(vocabulary, by_length=kinds) if kinds else vocabulary


def _with_classes(card: Optional[Mapping[str, Any]]) -> Vocabulary:
    """The vocabulary of a model's classes: the lexicon plus the card's ``categories``
    (category word -> its words, written by ``finetune`` from the dataset's classes). A
    lexicon category is then asked by the card's word ("building", as trained, not
    "buildings"), and so is the category a class is a name of ("house": "buildings" and
    "roofs" ask a model fine-tuned on houses for "house", with the distances and scales of
    buildings); a class the lexicon does not have ("solar panel") becomes a category of
    group ``other`` (default distances, no rivals). Rival categories (:mod:`.rivals`) stay
    among the groups of the card's classes: a model fine-tuned on buildings alone is not
    also asked for vehicles and roads it was not taught in that region (on the Atlanta
    example: the same 35 polygons in 55 % of the time). A class in the card's
    ``base_classes`` is left to the base model, as a class it was not taught is
    (``Vocabulary.base_groups``)."""
    extra = card.get("categories") if isinstance(card, Mapping) else None
    if not isinstance(extra, Mapping) or not extra:
        return BASE_VOCABULARY
    classes = []
    for trained, words in extra.items():
        word = as_phrase(trained) if isinstance(trained, str) else ""
        if not word:
            continue
        names = [word] + [as_phrase(w) for w in (words if isinstance(words, (list, tuple))
                                                 else ()) if isinstance(w, str) and as_phrase(w)]
        names += [singular_phrase(n) for n in names]
        classes.append((word, str(trained).strip(), names))
    kept_by_base = _base_classes(card)
    cats, learnt, claimed, by_base = list(CATEGORIES), set(), set(), set()
    # a category's own name first: of "house" and "building", "building" asks for buildings
    for word, trained, names in sorted(classes, key=lambda c: c[0] not in BY_NAME):
        named = BY_NAME.get(BASE_VOCABULARY.category_named(word) or "")
        if named is not None and named.name not in claimed:
            claimed.add(named.name)
            cats[cats.index(named)] = Category(named.name, trained,
                                               tuple(dict.fromkeys(named.names + tuple(names))),
                                               named.group)
        else:   # the model is asked in its training words ("solar-panel" if so written)
            cats.append(Category(word, trained, tuple(dict.fromkeys(names)),
                                 named.group if named is not None else "other"))
        group = named.group if named is not None else "other"
        (by_base if trained in kept_by_base and named is not None else learnt).add(group)
    if not (learnt or by_base):
        return BASE_VOCABULARY
    return Vocabulary(tuple(cats), frozenset(learnt), frozenset(by_base - learnt))


def _base_classes(card: Mapping[str, Any]) -> FrozenSet[str]:
    """The card's ``base_classes`` (class word -> how the choice was measured, written by
    ``finetune``): classes the base model answers. A lexicon category only (the base knows its
    words); a group another class of the card was taught stays the fine-tuned model's."""
    kept = card.get("base_classes")
    if isinstance(kept, Mapping):
        kept = list(kept)
    if not isinstance(kept, (list, tuple)):
        return frozenset()
    return frozenset(str(k).strip() for k in kept if isinstance(k, str))
