"""Raster engine: windowed reads, GSD matching, tiling, batched inference, vectorisation."""
