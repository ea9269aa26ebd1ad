"""Alembic migrations of the pxrules store (env.py, versions/); `pxrules init` runs them to head."""
