"""Measures for the Reporting and publication section (21A-23A): quality account, publication, co-production."""

from __future__ import annotations
