"""The encrypted local store: database, migrations, settings, audit and app log."""
