"""Catalog as code: Backstage-format descriptors read into the catalog, kept in sync with where they live, and written back out."""
