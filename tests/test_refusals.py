"""Files that are no archive of ours, given to every command that opens an archive: a file
that is no SQLite database, another program's SQLite database, one with a `posts` table of
its own, an archive of a newer schema than this code knows. Each is refused with one line and
status 1, left as it was, with no lock file made for it; an empty or missing file is still a
new archive."""

import socket
import sqlite3
import subprocess
import sys

import pytest

from archiver import storage
from tests.helpers import ROOT, archiver

ARCHIVE_COMMANDS = {
    "archiver crawl": lambda db, tmp_path: archiver(
        "crawl", "http://127.0.0.1:9/", "--db", db, "--log-file", tmp_path / "crawl.log"),
    "scrapy crawl": lambda db, tmp_path: subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "blog", "-a", "url=http://127.0.0.1:9/",
         "-s", f"ARCHIVE_DB={db}", "-s", f"LOG_FILE={tmp_path / 'crawl.log'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300),
    "reparse": lambda db, tmp_path: archiver("reparse", "--db", db),
    "export-warc": lambda db, tmp_path: archiver("export-warc", "--db", db,
                                                 tmp_path / "out.warc"),
    "export": lambda db, tmp_path: archiver("export", "--db", db, tmp_path / "out.csv"),
    "import-warc": lambda db, tmp_path: archiver("import-warc", "--db", db,
                                                 tmp_path / "capture.warc"),
    "serve": lambda db, tmp_path: archiver("serve", "--db", db, "--port", "0"),
}


def random_bytes(path):
    path.write_bytes(bytes(range(256)) * 40)
    return f"{path} is not an archive: not an SQLite database"


def another_programs(path):
    return foreign_database(path, "customers", "name", "'Ada'")


def with_own_posts(path):
    return foreign_database(path, "posts", "title, body", "'Hello', 'World'")


def foreign_database(path, table, columns, values):
    """Another program's SQLite database at `path`, with one row in its `table`."""
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, {columns})")
        conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({values})")
    conn.close()
    return f"{path} is not an archive: it holds another program's tables ({table})"


def of_a_newer_schema(path):
    storage.close_archive(storage.open_archive(path))
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('archiver', 'm099_from_the_future', '2030-01-01')")
    conn.close()  # the last connection: its WAL is folded into the file
    return (f"{path} is an archive of a newer schema than this archiver knows "
            "(m099_from_the_future): upgrade thread-archiver to use it")


@pytest.mark.parametrize("make", [random_bytes, another_programs, with_own_posts,
                                  of_a_newer_schema])
@pytest.mark.parametrize("command", ARCHIVE_COMMANDS)
def test_a_file_that_is_no_archive_of_ours_is_refused_untouched(tmp_path, command, make):
    db = tmp_path / "given.db"
    message = make(db)
    (tmp_path / "capture.warc").write_bytes(b"")
    content = db.read_bytes()
    done = ARCHIVE_COMMANDS[command](db, tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", f"Error: {message}\n")
    assert db.read_bytes() == content
    assert not (tmp_path / "given.db.lock").exists()
    assert not (tmp_path / "out.warc").exists()
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("make", [lambda path: path.write_bytes(b""),
                                  lambda path: sqlite3.connect(path).close(),
                                  lambda path: None],
                         ids=["empty", "no-tables", "missing"])
def test_an_empty_or_missing_file_is_a_new_archive(tmp_path, make):
    make(tmp_path / "new.db")
    db = storage.open_archive(tmp_path / "new.db")
    assert (storage.is_archive(db), storage.pending_migrations(db)) == (True, [])
    storage.close_archive(db)


def test_serve_on_a_port_in_use_says_so_in_one_line(demo_archive):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = archiver("serve", "--db", demo_archive, "--port", port)
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", f"Error: port {port} on 127.0.0.1 is in use: pass --port\n")
