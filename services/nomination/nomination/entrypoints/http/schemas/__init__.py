"""Request and response models of the nomination API (XCreate / XUpdate / XPublic / XPage)."""
