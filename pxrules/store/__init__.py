"""The evidence register and assessment store: SQLite by default, PostgreSQL by URL, schema by Alembic."""
