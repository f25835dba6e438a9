"""Reference data files (CSV) shipped with the catalog package."""
