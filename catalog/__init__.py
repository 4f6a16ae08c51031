"""The catalog: services, API contracts, data domains, resources and their dependencies."""
