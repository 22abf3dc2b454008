"""Importer for the data contract (see kompetens.contract)."""
