"""Deployment targets: where a release is handed to run (the deploy helper adds the interface)."""
