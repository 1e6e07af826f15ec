"""The local ledger database: engine, tables, migrations."""
