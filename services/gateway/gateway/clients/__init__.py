"""Client registrations of agency systems (OAuth2 client credentials, docs/adr/0008).

- `model`: what a registration is and the rules it obeys (pure).
- `hashing`: client secrets, stored as argon2id hashes only.
- `store`: the `gateway.client` table, its audit trail and the use cases (create, list,
  revoke, authenticate) that `imet clients` and the token endpoint call.
"""
