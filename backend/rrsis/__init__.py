"""rrsis: referring remote sensing image segmentation backend (LAVT / LGCE).

Importing ``rrsis`` or ``rrsis.protocol`` does not import torch; the model API lives in
``rrsis.models`` (``create_model``, ``load_checkpoint``, ``load_public_checkpoint``).
"""

__version__ = "0.1.0"
