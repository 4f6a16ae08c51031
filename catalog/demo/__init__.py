"""Demo and benchmark data: a believable organisation (``seed``) built through the factories,
and large synthetic catalogs (``synthetic``) for benchmarks."""
