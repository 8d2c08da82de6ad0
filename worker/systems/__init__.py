"""Prediction systems. Each takes feature rows (one per player) and returns predicted
points with a p10/p50/p90 interval, plus the provenance of the model it used."""
