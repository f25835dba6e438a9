"""Request and response bodies of the catalog API (XCreate / XUpdate / XPublic / XPage)."""
