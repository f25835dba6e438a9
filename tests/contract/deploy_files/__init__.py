"""The deployment files (deploy/) agree with the code, offline: no cluster, no Docker engine.

One test module per file kind (`test_dockerfile`, `test_kubernetes`, `test_compose`,
`test_no_secrets`); what they read the files with is in `settings` (what the code reads, and
each process's environment checked against it), `k8s` and `compose`.


- The Dockerfile builds ONE image without the `embedded`/`dev` extras, runs as a numeric
  non-root user and bakes in no secret.
- Kubernetes (deploy/k8s): every workload runs that image, hardened (non-root, read-only root,
  no capabilities, no service-account token, no service links), with probes and resources;
  every service has its API and worker Deployments, a Service and PodDisruptionBudgets.
- docker compose (deploy/docker-compose.yml, interpolated with deploy/.env.example as compose
  does it): the same processes, health checks and start order. When the `docker compose`
  plugin answers, `docker compose config` must accept the file too.
- Settings: each container's environment is resolved (ConfigMaps, the Secret template with its
  placeholders filled in, `$(VAR)` expansion, compose interpolation) and the settings classes
  its command loads are built from it with IMET_ENV=production. So every variable the code
  requires is there, every IMET-looking variable is one the code reads (no typos), and each
  service sees only its own secrets.
- The gateway's own database (OAuth2 client registrations, the token endpoint; ADR 0008): the
  deploy-time job provisions and migrates it (GATEWAY_DB_PASSWORD, GATEWAY_DATABASE_URL), the
  gateway gets the same URL and starts after that job, and its NetworkPolicy lets it reach
  PostgreSQL.
"""
