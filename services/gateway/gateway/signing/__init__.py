"""The token issuer's side: signing keys and signed tokens (services only verify)."""
