from shared.db.alembic_env import run_migrations
from tests.platform_probe.service import metadata

run_migrations(metadata, "probe")
