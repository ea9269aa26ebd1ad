"""Scoring: one assessment, assessments against the store, the national batch, and what lapses."""
