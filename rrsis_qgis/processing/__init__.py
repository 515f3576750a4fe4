"""Processing provider "RRSIS" and its algorithms."""
