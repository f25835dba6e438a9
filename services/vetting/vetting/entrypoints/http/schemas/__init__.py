"""Request and response bodies of the vetting API, one module per resource."""
