"""The SQLAlchemy 2 store, for PostgreSQL (psycopg 3) and SQLite, split by aggregate."""
