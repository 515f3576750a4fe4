"""Datasets: the RefSegRS reader, and RefSegRS-format datasets built from a user's region."""

from .refsegrs import (RefSegRSDataset, Sample, category_of, read_categories, read_split,
                       read_splits)

__all__ = ["RefSegRSDataset", "Sample", "category_of", "read_categories", "read_split",
           "read_splits"]
