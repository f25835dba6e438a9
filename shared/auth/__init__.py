"""Authentication and authorization for every service and the gateway.

- `principal`: who acts (`Principal`, `Role`, `system_actor`); plain Python, safe for domain code.
- `keys`: signing keys on disk (dev, and the gateway's own issuer) and JWKS sources.
- `tokens`: `TokenIssuer`, `TokenVerifier` (+ `AuthError`), `verifier_from_settings`,
  `issue_dev_token`.
(The FastAPI dependencies `get_principal`, `CurrentPrincipal`, `require_roles` are HTTP
plumbing: `shared.http.auth`.)

Nothing is re-exported here on purpose: importing `shared.auth.principal` from domain code
must not drag in FastAPI, PyJWT or cryptography.
"""
