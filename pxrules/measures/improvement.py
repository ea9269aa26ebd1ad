"""Measures for the Using feedback for improvement section (17A-20C): shared decisions, training, QI, co-design."""

from __future__ import annotations
