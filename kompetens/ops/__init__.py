"""Operations: how processes share the database, and backup, restore, doctor and watch.

``database``  one writer at a time (the writer lock), readers on published snapshots
``backup``    a consistent copy while the app runs, and a verified restore
``doctor``    checks the installation and says in Swedish what to do
``watch``     a watched inbox folder that imports files as they arrive

This layer sits above ingest, indicators and access (it may call them) and
below the app (``kompetens.ui``) and the command line. See docs/operations.md.
"""
