"""Measures for the Collecting feedback section (9A-12C): surveys, FFT response and modes, complaints, website."""

from __future__ import annotations
