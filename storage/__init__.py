"""Everything SQL: the tables, migrations, one typed session and the repositories."""
