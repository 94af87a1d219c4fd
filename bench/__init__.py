"""The benchmark suite: synthetic data, a gunicorn server, a load generator and the table."""
