"""Training library: datasets, the paper's recipe, the trainer and metrics (see ../../training/)."""
