"""The API gateway: the single public door in front of the four services (`python -m gateway`)."""
