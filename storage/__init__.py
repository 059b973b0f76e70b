"""SQLAlchemy Core storage: one schema, an engine from one URL, batches, upserts, the audit log."""
