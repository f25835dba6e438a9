import funding.adapters.reference_tables  # noqa: F401 - registers the reference tables on `metadata`
from funding.adapters.tables import metadata
from shared.db.alembic_env import run_migrations

run_migrations(metadata, "funding")
