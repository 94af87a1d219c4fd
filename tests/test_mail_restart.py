"""A database restart under the mail workers, on PostgreSQL: the workers live on, and every email
is delivered exactly once, soon after.

The workers reach PostgreSQL through a TCP proxy that the test cuts mid-batch, the way a restart
or a failover drops every connection and refuses new ones for a moment.
"""

from __future__ import annotations

import signal
import time

import pytest
from sqlalchemy.engine import make_url

from tests.support.mail import worker_process
from tests.support.mail_sink import SMTPSink
from tests.support.tcp_proxy import TcpProxy
from tests.test_mail_scale import bulk_queue

pytestmark = pytest.mark.postgres_only

MESSAGES = 300


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_database_restart_mid_batch_stops_no_worker_and_repeats_no_email(app, tmp_path,
                                                                           workers):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    # Each message takes the sink a little while, so a batch is still going when the cut comes.
    sink = SMTPSink(delay=0.01).start()
    processes = []
    try:
        processes = [worker_process(app, tmp_path / str(n), sink, "--batch-size", "50",
                                    DATABASE_URL=proxy.url(str(app.config[
                                        "SQLALCHEMY_DATABASE_URI"])),
                                    MAIL_TIMEOUT_SECONDS="60", MAIL_LEASE_SECONDS="600")
                     for n in range(workers)]
        for process in processes:
            assert "started" in process.stdout.readline()
        message_ids = bulk_queue(MESSAGES)

        # Two restarts, each in the middle of a batch: a quick one, and one of two seconds.
        for arrived, seconds in ((60, 0.5), (180, 2.0)):
            assert wait_until(lambda n=arrived: sink.count() >= n, 120), sink.count()
            with proxy.outage(seconds):
                pass
        started = time.monotonic()
        # Everything arrives well within a minute of the restart: nothing waits out a claim.
        assert sink.wait_for(MESSAGES, timeout=60), f"only {sink.count()} arrived"
        recovered_in = time.monotonic() - started
        time.sleep(0.5)  # room for a duplicate to show up, if there were one
        assert all(process.poll() is None for process in processes), "a worker stopped"
    finally:
        outputs = []
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            out, err = process.communicate(timeout=60)
            outputs.append((process.returncode, out, err))
        sink.stop()
        proxy.stop()

    received = sink.message_ids
    assert set(received) == set(message_ids)
    duplicates = {mid: n for mid, n in received.items() if n > 1}
    assert duplicates == {}, f"sent more than once: {duplicates}"
    assert proxy.cuts == 2
    assert recovered_in < 60
    for returncode, _out, err in outputs:
        assert returncode == 0, err
        # The outage is told in one line each time, not a traceback.
        assert "Traceback" not in err, err
