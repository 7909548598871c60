"""Servers the tests and benchmarks start on 127.0.0.1: `archiver serve`, or plain `datasette`
with the project's Datasette files, nginx serving a folder, or Redis, each in a process of its
own on a free port."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
NGINX = """daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{}}
http {{
  access_log {access_log};
  client_body_temp_path {folder}/tmp; proxy_temp_path {folder}/tmp; fastcgi_temp_path {folder}/tmp;
  uwsgi_temp_path {folder}/tmp; scgi_temp_path {folder}/tmp;
  types {{ text/html html; application/xml xml; text/plain txt; }}
  server {{
    listen {host}:{port};
    root {root};
{rewrite_origin}
    # wget keeps a feed as feed/index.html; it is served as the feed it is.
    location ~ /feed/(index\\.html)?$ {{ types {{}} default_type application/rss+xml; }}
  }}
}}
"""
# A copy that keeps another origin's absolute links is served with them on its own origin.
REWRITE_ORIGIN = """    sub_filter '{origin}' 'http://{host}:{port}';
    sub_filter_once off;
    sub_filter_types *;"""


class ServerError(RuntimeError):
    """A server that exited or never answered; the message quotes its log."""


def free_port():
    """A loopback TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def archiver_serve(db, log):
    """`archiver serve` on `db`: a context manager yielding its base URL once it answers."""
    port = free_port()
    return answering([sys.executable, "-m", "archiver.cli", "serve", "--db", str(db),
                      "--port", str(port)], port, log)


def datasette(log, *dbs):
    """Plain `datasette serve` of `dbs`, with no option: the installed plugin alone. A context
    manager yielding its base URL once it answers."""
    port = free_port()
    return answering([sys.executable, "-m", "datasette", "serve", *map(str, dbs),
                      "--host", LOOPBACK, "--port", str(port)], port, log)


@contextlib.contextmanager
def answering(command, port, log, timeout=30):
    """Run `command` (a server on `port`) in a process group of its own, with its output in
    `log`; yield its base URL once it answers, and stop it afterwards."""
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    base = f"http://{LOOPBACK}:{port}"

    def answers():
        with contextlib.suppress(OSError), urllib.request.urlopen(base + "/-/versions.json",
                                                                  timeout=2):
            return True
        return False

    try:
        wait_until_ready(process, command[2], log, timeout, answers)
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


@contextlib.contextmanager
def nginx(root, folder, origin=None, port=None, access_log=True, timeout=30):
    """nginx serving the files in `root` on loopback (`port`, or a free one), with its config,
    logs and temporary files in `folder`, links to `origin` rewritten to its own, and no access
    log if not `access_log` (a benchmark's server writes none); yields its base URL once it
    accepts connections."""
    port = port or free_port()
    (folder / "tmp").mkdir(parents=True)
    config = folder / "nginx.conf"
    rewrite = REWRITE_ORIGIN.format(origin=origin, host=LOOPBACK, port=port) if origin else ""
    config.write_text(NGINX.format(folder=folder, host=LOOPBACK, port=port, root=root,
                                   rewrite_origin=rewrite,
                                   access_log=f"{folder}/access.log" if access_log else "off"))
    process = subprocess.Popen(["nginx", "-c", str(config), "-p", str(folder)],
                               stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with listening(process, port, folder / "error.log", timeout):
        yield f"http://{LOOPBACK}:{port}"


@contextlib.contextmanager
def redis_server(folder, timeout=30):
    """Debian's redis-server on a free loopback port, keeping nothing on disk, its log in
    `folder`; yields its redis:// URL once it accepts connections."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "redis.log"
    process = subprocess.Popen(["redis-server", "--bind", LOOPBACK, "--port", str(port),
                                "--save", "", "--appendonly", "no", "--dir", str(folder),
                                "--logfile", str(log)],
                               stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with listening(process, port, log, timeout):
        yield f"redis://{LOOPBACK}:{port}/0"


@contextlib.contextmanager
def listening(process, port, log, timeout):
    """Once the server `process` accepts connections on `port` (else ServerError, quoting its
    `log`), run the block; stop the server afterwards."""
    def accepts():
        with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), 1):
            return True
        return False

    try:
        wait_until_ready(process, process.args[0], log, timeout, accepts)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_until_ready(process, name, log, timeout, ready):
    """Return once `ready()` is true of the server `process`; ServerError, quoting its `log`,
    if it exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            raise ServerError(f"{name} exited {process.returncode}:\n{_text(log)}")
        if time.monotonic() > deadline:
            raise ServerError(f"{name} did not answer in {timeout} s:\n{_text(log)}")
        time.sleep(0.05)


def _text(log):
    """What a server wrote to its log, if it got as far as making one."""
    return Path(log).read_text() if Path(log).exists() else "(no log)"
