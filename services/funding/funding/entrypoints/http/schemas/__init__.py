"""Request and response bodies of the funding API, one module per resource
(XCreate / XUpdate / XPublic / XPage); `common` holds the shared types."""
