"""Authentication and authorization for every service and the gateway.

- `principal`: who acts (`Principal`, `Role`, `system_actor`); plain Python, safe for domain code.
- `jwks`: where a verifier finds public keys (a JWKS file or URL).
- `tokens`: `TokenVerifier` (+ `AuthError`, `TrustedIssuer`); `configured`: the verifier the
  settings describe (`verifier_from_settings`).
Services only verify. Issuing tokens and managing signing keys is the issuer's alone - the
gateway's token endpoint and the CLI: `services/gateway/gateway/signing/`.
(The FastAPI dependencies `get_principal`, `CurrentPrincipal`, `require_roles` are HTTP
plumbing: `shared.http.auth`.)

Nothing is re-exported here on purpose: importing `shared.auth.principal` from domain code
must not drag in FastAPI, PyJWT or cryptography.
"""
