"""Analyses built on the key figures: the support-need index and pedagogical segregation."""
