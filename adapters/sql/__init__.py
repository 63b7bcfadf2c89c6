"""The SQL layer: engines, schemas, transactions, readers, column types and keyset paging."""
