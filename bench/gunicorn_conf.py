"""gunicorn settings for the benchmark, used instead of the production gunicorn.conf.py (which
gunicorn would otherwise load from the working folder): no access log, warnings only, and no
recycling of workers, so the peak memory of one worker covers the whole run. bench/server.py
sets the address, the workers and their class on the command line."""

accesslog = None
errorlog = "-"
loglevel = "warning"
max_requests = 0
preload_app = False
timeout = 60
