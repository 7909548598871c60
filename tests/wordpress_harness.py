"""A real WordPress to crawl: the harness in `shared/wordpress` beside the repository (or
$WP_HARNESS), which installs Debian's wordpress, mariadb and php packages and serves a site on
loopback. Used by the tests marked `wordpress` and by the benchmark of incremental runs."""

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.local_servers import free_port

DEFAULT_HARNESS = Path(__file__).resolve().parents[2] / "shared" / "wordpress"
# Programs `up` cannot install without root, with the Debian packages that hold them.
PROGRAMS = {"php": "php-cli", "mariadbd": "mariadb-server-core"}
# `up` may first install php and MariaDB with apt.
HARNESS_TIMEOUT = 30 * 60
# What the tests seed a site with: 30 posts of up to 40 comments each, and the fixed posts.
SEED = ("30", "40")
# The seed's reference post and its open thread, long enough for several comment pages.
REFERENCE_POST, PAGINATED_POST = 1, 2
# Changes a site as its readers and moderators do, through WordPress's own API.
CHANGES_SCRIPT = Path(__file__).resolve().parent / "wordpress_changes.php"


class HarnessError(RuntimeError):
    """A harness script failed; the message holds its error output."""


@dataclass
class WordPress:
    """One harness site: the scripts' folder, their environment, and the URL `up` printed."""

    harness: Path
    env: dict
    base: str = ""

    def run(self, script, *args):
        """Run one harness script and return its standard output."""
        return self._run([str(self.harness / script), *args])

    def change(self, *operations):
        """Apply operations (see wordpress_changes.php) to the site; return the ids they touched."""
        env = {"DOCROOT": str(Path(self.env["WP_STATE"]) / "www"),
               "WP_HARNESS_PORT": self.env["WP_PORT"], "HARNESS_LIB": str(self.harness / "lib")}
        return json.loads(self._run(["php", str(CHANGES_SCRIPT), json.dumps(operations)], env))

    def truth(self):
        return json.loads(self.run("truth"))

    def _run(self, command, extra_env=None):
        result = subprocess.run(command, env={**self.env, **(extra_env or {})},
                                stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=HARNESS_TIMEOUT)
        if result.returncode != 0:
            raise HarnessError(f"`{' '.join(command)}` exited {result.returncode}:\n"
                               f"{result.stderr[-3000:]}")
        return result.stdout


def harness_path():
    return Path(os.environ.get("WP_HARNESS", DEFAULT_HARNESS))


def missing_prerequisite(harness):
    """Why the harness cannot run here, or None when it can."""
    if not (harness / "up").is_file():
        return (f"WordPress harness not found at {harness}: put the shared/wordpress folder "
                f"beside the repository, or set WP_HARNESS to its path")
    if os.geteuid() == 0:
        return None
    missing = [name for name in PROGRAMS if shutil.which(name) is None]
    if not missing:
        return None
    packages = " ".join(PROGRAMS[name] for name in missing)
    return (f"{' and '.join(missing)} not found on PATH, and only as root does the harness "
            f"install what it needs: `sudo apt-get install {packages}`, or run the tests as root")


def harness_env(state, port):
    """The environment for harness scripts: ours, without any inherited WP_* settings."""
    # A WP_TIMEZONE, WP_LOCALE or WP_PORT left in the shell would change or hijack the site.
    env = {key: value for key, value in os.environ.items() if not key.startswith("WP_")}
    return env | {"WP_STATE": str(state), "WP_PORT": str(port)}


@contextlib.contextmanager
def seeded_site(harness, state, *seed):
    """A WordPress of its own in `state`, on a free loopback port, seeded with `seed`'s
    arguments; stopped and wiped afterwards."""
    site = WordPress(harness, harness_env(state, free_port()))
    try:
        site.base = site.run("up").strip().splitlines()[-1]
        site.run("seed", *seed)
        yield site
    finally:
        site.run("down", "--wipe")


@dataclass(frozen=True)
class Changes:
    """What `change_the_blog` did: WordPress ids of the comments and posts it touched."""

    new: tuple  # new comments, the reply included
    reply: int  # a reply to a comment on the busy post's second comment page
    edited: int
    trashed: int
    approved: int  # held for moderation until now
    edited_post: int
    trashed_post: int
    posts: frozenset  # every post whose thread or text changed, or that is gone


def change_the_blog(site, truth):
    """Change a seeded site as a night of readers and moderators would: five new comments on
    two posts, a reply on a comment page that is not the first, an edit to an old comment, a
    comment trashed, one held for moderation approved, a post edited and one trashed; each on
    its own post but for the new comments."""
    reference, busy = REFERENCE_POST, PAGINATED_POST
    by_post = {}
    for comment in truth["comments"]:
        by_post.setdefault(comment["post_id"], []).append(comment)
    on_page_2 = next(c for c in by_post[busy] if c["page"] == 2 and c["type"] == "comment"
                     and c["depth"] < 4)
    parents = {c["parent_id"] for c in truth["comments"]}
    quiet = [post["id"] for post in truth["posts"] if post["id"] not in (reference, busy)
             and any(c["type"] == "comment" and c["id"] not in parents
                     for c in by_post.get(post["id"], ()))]
    edit_on, trash_on, post_to_edit, post_to_trash = quiet[:4]
    edited = next(c for c in by_post[edit_on] if c["type"] == "comment")
    trashed = next(c for c in by_post[trash_on]
                   if c["type"] == "comment" and c["id"] not in parents)
    done = site.change(
        ["comment", reference, 0, "Night Reader", "A new comment, the first of the night."],
        ["comment", reference, 0, "Second Reader",
         "Another new one, with <a href=\"https://example.org/a\">a source</a>."],
        ["comment", reference, 0, "Night Reader", "And a third, on the same post."],
        ["comment", busy, 0, "Late Reader", "A new comment on the open thread."],
        ["comment", busy, 0, "Late Reader", "And another on the open thread."],
        ["comment", busy, on_page_2["id"], "Replying Reader", "A reply to a comment on page 2."],
        ["edit", edited["id"], edited["content_raw"] + "\n\n[Edited: a correction.]"],
        ["trash", trashed["id"]],
        ["approve_pending"],
        ["edit_post", post_to_edit, "This post was rewritten after it was archived."],
        ["trash_post", post_to_trash],
    )
    approved_on = next(c["post_id"] for c in site.truth()["comments"] if c["id"] == done[8])
    return Changes(new=tuple(done[:6]), reply=done[5], edited=done[6], trashed=done[7],
                   approved=done[8], edited_post=done[9], trashed_post=done[10],
                   posts=frozenset({reference, busy, edit_on, trash_on, approved_on, post_to_edit,
                                    post_to_trash}))


def live_threads(db):
    """{post URL: sorted ids} of the comments an archive holds as still on the blog, on posts
    still on it."""
    threads = {}
    with contextlib.closing(sqlite3.connect(db)) as conn:
        for url, comment_id in conn.execute(
                "SELECT posts.url, comments.platform_id FROM comments JOIN posts "
                "ON posts.id = comments.post_id WHERE comments.removed_utc IS NULL "
                "AND posts.removed_utc IS NULL"):
            threads.setdefault(url, []).append(int(comment_id))
    return {url: sorted(ids) for url, ids in threads.items()}


def truth_threads(truth):
    """{post URL: sorted ids} of the comments WordPress shows, from its truth dump."""
    urls = {post["id"]: post["url"] for post in truth["posts"]}
    threads = {}
    for comment in truth["comments"]:
        threads.setdefault(urls[comment["post_id"]], []).append(comment["id"])
    return {url: sorted(ids) for url, ids in threads.items()}
