from gateway.clients.store import SCHEMA, metadata
from shared.db.alembic_env import run_migrations

run_migrations(metadata, SCHEMA)
