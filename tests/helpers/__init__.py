"""Shared test helpers, imported by name (``from helpers.engine import write_tif``).

``tests/`` is on ``sys.path`` because pytest loads ``tests/conftest.py`` from there
(rootdir-relative "prepend" import mode), so these modules never need ``importlib``
tricks or ``from conftest import``:

- :mod:`.data`: the repository root and the optional real data in ``../shared/data``
- :mod:`.features`: GeoPackage layers read back as dicts with shapely geometries
- :mod:`.engine`: GeoTIFF writers and tiny real models for the engine tests (fixtures)
- :mod:`.batch`: the bundled orthophoto cut into tiles for the batch tests (fixtures)
- :mod:`.server`: a real ``rrsis serve`` subprocess and its inputs (fixtures)
- :mod:`.refsegrs`: a tiny RefSegRS-format dataset written by the tests themselves
"""
