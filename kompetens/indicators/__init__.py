"""Indicator registry, pipelines and key figures (see issue: indicator engine)."""
