"""Request and response bodies of the reporting API, one module per resource."""
