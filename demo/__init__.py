"""Deterministic demo data: a realistic Tomsk oblast written as files in the real export formats."""
