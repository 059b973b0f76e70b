"""Alembic migrations of the one schema (storage/schema.py); see storage/migrate.py."""
