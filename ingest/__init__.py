"""The night's inputs fetched from their public sources: each response kept raw in the object
store, read in the source's own layout, imported through the same importers as files, and a
freshness record per feed. Design: docs/INGEST.md."""
