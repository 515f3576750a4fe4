"""torchrun entry for training: the same arguments as ``rrsis train``.

    torchrun --nproc_per_node=4 training/train.py --recipe refsegrs_lgce \
        --data /data/RefSegRS --swin-pretrained swin_base_patch4_window12_384_22k.pth \
        --bert-pretrained /models/bert-base-uncased --out runs/lgce
    python training/train.py ...            # one process (CPU or one GPU)
"""

from __future__ import annotations

import argparse
import logging
import sys

from rrsis.errors import RrsisError
from rrsis.cli.training import add_arguments_train, run_train


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(prog="train.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments_train(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return run_train(args)
    except RrsisError as exc:
        print(f"train.py: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
