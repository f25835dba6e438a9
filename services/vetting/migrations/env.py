from shared.db.alembic_env import run_migrations
from vetting.adapters.tables import metadata

run_migrations(metadata, "vetting")
