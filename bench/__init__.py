"""The benchmark: a synthetic corpus, sitegen against Hugo and Pelican, committed results."""
