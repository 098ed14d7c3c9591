"""Shared helpers for the data-platform pipelines in this repository.

Keep this package free of pipeline definitions: it is imported by the
pipeline files, never parsed as one.
"""
