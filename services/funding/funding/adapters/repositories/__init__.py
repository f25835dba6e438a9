"""Repositories of the funding unit of work, one module per aggregate (SQLAlchemy Core)."""
