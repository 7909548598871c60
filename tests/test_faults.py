"""A blog behind a proxy that breaks a fifth of its answers, every kind of fault in turn
(tests/fault_proxy.py): a crawl and one re-run through it keep every comment a crawl with no
faults keeps, none of them differing or twice. The faults are dealt by a fixed seed, so each
run meets the same ones."""

import shutil

import pytest

from bench.blog_generator import generate
from tests.fault_proxy import comments, compared, fault_proxy
from tests.helpers import crawl
from tests.local_servers import nginx

POSTS = 30
# Retried as the project's settings retry, a timeout well under the proxy's hang, and a
# Retry-After held for a second at most.
FAULT_SETTINGS = ["-s", "RETRY_TIMES=2", "-s", "DOWNLOAD_TIMEOUT=5", "-s", "RETRY_AFTER_MAX=1"]


def test_a_crawl_and_a_re_run_through_a_fifth_of_the_answers_broken_lose_nothing(tmp_path):
    if not shutil.which("nginx"):
        pytest.skip("nginx is needed: apt-get install nginx")
    with fault_proxy(hang_seconds=6) as proxy:
        generate(tmp_path / "blog", proxy.url.rstrip("/"), POSTS)
        with nginx(tmp_path / "blog", tmp_path / "nginx", access_log=False) as base:
            proxy.set_upstream(base)
            crawl(proxy.url, tmp_path / "reference.db", tmp_path, *FAULT_SETTINGS)
            proxy.phase(rate=0.2, seed=1)
            crawl(proxy.url, tmp_path / "faulty.db", tmp_path, *FAULT_SETTINGS)
            dealt = sum(proxy.faults.values())
            proxy.phase(rate=0.2, seed=2)
            crawl(proxy.url, tmp_path / "faulty.db", tmp_path, *FAULT_SETTINGS)
    reference = comments(tmp_path / "reference.db")
    assert len(reference) > 250 and dealt > 10
    assert compared(tmp_path / "faulty.db", reference) == {
        "lost": 0, "differing": 0, "duplicated": 0}
