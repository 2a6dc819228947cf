"""The demo company, Northwind Labs: its HTTP API service (`api`), over a store of its records (`store`) in
SQLite (`db`). The product calls it over HTTP like any company's API; the runtime only starts it for the
embedded default catalog."""
