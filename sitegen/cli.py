"""Command-line interface: argument parsing only; each command calls one function."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import errno
import logging
import os
import re
import signal
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from sitegen import __version__, urls
from sitegen.config import SiteConfig, find_config, load_config, normalise_base_url
from sitegen.errors import Problem, SitegenError, UsageError, display_path, report

log = logging.getLogger("sitegen")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit 0 on success, 1 on a content/template error, 2 on bad usage."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser(argv).parse_args(argv)
    _setup_logging(args.verbose - args.quiet)
    try:
        return int(args.run(args))
    except SitegenError as e:
        return report(e)
    except UsageError as e:
        print(f"sitegen: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `sitegen ingest ... | head`: the reader has all it wanted
        return _stdout_closed()
    except OSError as e:  # a full disk, a read-only folder: the input itself is fine
        print(f"sitegen: error: {describe_os_error(e, args.command)}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as e:  # the build cache: full disk, or a damaged file
        print(f"sitegen: error: the build cache could not be used ({e}); free disk space, or "
              "delete .sitegen-cache/ to start it afresh", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except RuntimeError as e:
        loop = SYMLINK_LOOP.match(str(e))  # Python 3.11's Path.resolve(); 3.13 raises OSError
        if loop is None:
            raise
        return report(SitegenError(Problem(Path(loop.group(1)), 1, "is a loop of symbolic "
                                           "links (each leads to the next, and back); remove "
                                           "one or point it at a real file or folder, then "
                                           "run again")))


SYMLINK_LOOP = re.compile(r"Symlink loop from '(.*)'\Z", re.S)


def run() -> NoReturn:
    """The `sitegen` program (and `python -m sitegen`): `main`, then the exit."""
    leave(main())


def leave(code: int) -> NoReturn:
    """End the process with `code` once the command is done: the exit handlers run and the
    output is flushed, but the interpreter's teardown (freeing every object one by one,
    ~60 ms after a 10,000-entry build, a tenth of an edit's) is left to the OS, which frees the
    memory at once. A thread still running, or output that cannot be flushed, takes Python's
    ordinary exit, which waits for the one and reports the other; so does a run under a
    profiler or tracer (`python -m pyinstrument -m sitegen`, `coverage run`), which writes its
    report once the program has returned."""
    import atexit
    import threading

    if threading.active_count() > 1 or sys.getprofile() is not None or \
            sys.gettrace() is not None:
        sys.exit(code)
    atexit._run_exitfuncs()  # logging's shutdown (flush), pools' and temporary folders' ends
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None when the program was started with it closed
                stream.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)


def _stdout_closed() -> int:
    """Exit quietly, as a command killed by SIGPIPE does (the shell's 128 + 13): point stdout
    at /dev/null so the interpreter's last flush of it cannot fail again on the way out."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 128 + signal.SIGPIPE


def describe_os_error(error: OSError, command: str = "") -> str:
    """One line for a failure of the machine rather than of the input, with what to do."""
    where = f"{display_path(Path(error.filename))}: " if error.filename else ""
    advice = {errno.ENOSPC: "the disk is full; free some space and run the command again",
              errno.EDQUOT: "the disk quota is used up; free some space and run it again",
              errno.EROFS: "the file system is read-only; write somewhere else",
              errno.EACCES: "permission denied; check the folder's permissions",
              errno.EPERM: "operation not permitted; check the folder's permissions"}
    reason = advice.get(error.errno or 0, f"{error.strerror or error}")
    if command in ("build", "deploy"):
        reason += "; the previous site was left as it was"
    return where + reason


COMMANDS = ("build", "check", "init", "new", "serve", "deploy", "ingest", "import")


def _parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser. When `argv` names a command, only that command is defined
    (a no-op build is 0.3 s, and defining all eight took 15 ms of it); otherwise (`--help`,
    `--version`, a mistyped command) all of them, for the help and the error."""
    named = argv[0] if argv and argv[0] in COMMANDS else None

    def wanted(command: str) -> bool:
        return named is None or named == command

    parser = argparse.ArgumentParser(prog="sitegen", description=__doc__)
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="count", default=0, help="print only errors")
    common.add_argument("-v", "--verbose", action="count", default=0, help="print more detail")
    common.add_argument("--config", type=Path, help="sitegen.toml or pyproject.toml to use")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    if wanted("build"):
        build = sub.add_parser("build", parents=[common], help="build the site into site/")
        build.add_argument("--out", type=Path, help="output folder (default: output_dir)")
        build.add_argument("--base-url",
                           help="URL or path the site is served under, e.g. /timeline/")
        build.add_argument("--drafts", action="store_true", help="include draft entries, badged")
        build.add_argument("--force", action="store_true",
                           help="adopt a non-empty output folder that sitegen did not make (its "
                                "other files are kept, never deleted)")
        build.add_argument("--no-wait", action="store_true",
                           help="if another build of the same site is running, exit instead of "
                                "waiting for it")
        build.add_argument("--no-search", action="store_true",
                           help="skip the search index: the last build's is left as it was "
                                "(its results may be out of date until a build without "
                                "this option)")
        build.set_defaults(run=_build)

    if wanted("check"):
        check = sub.add_parser("check", parents=[common], help="validate content; write nothing")
        check.add_argument("--drafts", action="store_true", help="check drafts too")
        check.set_defaults(run=_check)

    if wanted("init"):
        init = sub.add_parser("init", parents=[common], help="scaffold a new site in DIR")
        init.add_argument("dir", type=Path)
        init.set_defaults(run=_init)

    if wanted("new"):
        new = sub.add_parser("new", parents=[common], help="create a new entry file")
        new.add_argument("title")
        new.add_argument("--date", required=True, help="the day the event happened, YYYY-MM-DD")
        new.add_argument("--topics", default="", help="comma-separated topic slugs")
        new.set_defaults(run=_new)

    if wanted("serve"):
        serve = sub.add_parser("serve", parents=[common], help="preview with live reload")
        serve.add_argument("--host", default="127.0.0.1",
                           help="address to bind (default 127.0.0.1)")
        serve.add_argument("--port", type=_port, default=8000, help="port (0 picks a free one)")
        serve.add_argument("--no-drafts", action="store_true", help="hide draft entries")
        serve.add_argument("--base-url", help="preview under this URL's path, e.g. /timeline/ "
                                              "(default: at /, whatever the config says)")
        serve.set_defaults(run=_serve)

    if wanted("deploy"):
        deploy = sub.add_parser("deploy", parents=[common], help="publish to a gh-pages branch")
        deploy.add_argument("--remote", default="origin", help="git remote to push to")
        deploy.add_argument("--branch", default="gh-pages", help="branch that holds the site")
        deploy.add_argument("--base-url", help="URL the site will have, e.g. /REPO/")
        deploy.add_argument("--message", help="commit message")
        deploy.add_argument("--no-push", action="store_true", help="commit, but do not push")
        deploy.set_defaults(run=_deploy)

    if wanted("ingest"):
        from sitegen.ingest.cli import add_parser as add_ingest_parser

        add_ingest_parser(sub, parents=[common])
    if wanted("import"):
        from sitegen.importer.cli import add_parser as add_import_parser

        add_import_parser(sub, parents=[common])
    return parser


def _port(text: str) -> int:
    """A TCP port, 0-65535 (0: any free one); anything else is a usage error (exit 2)."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port; give 1-65535, or 0 for any "
                                         "free port")
    return port


def _setup_logging(level: int) -> None:
    logging.basicConfig(
        level={-1: logging.ERROR, 0: logging.INFO}.get(max(level, -1), logging.DEBUG),
        format="%(message)s", stream=sys.stderr, force=True)
    for noisy in ("markdown_it", "watchfiles", "tornado.access", "asyncio"):
        # their debug lines (one per Markdown block) would drown ours under --verbose
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


def site_config(args: argparse.Namespace) -> SiteConfig:
    """The config named by --config, else the one in the current folder."""
    config = load_config(args.config or find_config(Path.cwd()))
    if getattr(args, "base_url", None):
        try:
            base_url = normalise_base_url(args.base_url)
        except ValueError as e:
            raise UsageError(f"--base-url {args.base_url!r} {e}") from e
        config = dataclasses.replace(config, base_url=base_url)
    return config


def _build(args: argparse.Namespace) -> int:
    from sitegen.build import build
    from sitegen.cache import Cache

    config = site_config(args)
    build(config, Cache(config.root / ".sitegen-cache"), drafts=args.drafts, out=args.out,
          force=args.force, wait=not args.no_wait, search=not args.no_search)
    return 0


def _check(args: argparse.Namespace) -> int:
    from sitegen.check import check

    check(site_config(args), drafts=args.drafts)
    return 0


def _init(args: argparse.Namespace) -> int:
    from sitegen.scaffold import init_site

    init_site(args.dir)
    return 0


def _new(args: argparse.Namespace) -> int:
    from sitegen.scaffold import new_entry

    topics = [t.strip() for t in args.topics.split(",") if t.strip()]
    new_entry(site_config(args), args.title, args.date, topics)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from sitegen.serve import serve

    config = site_config(args)
    return serve(config, host=args.host, port=args.port, drafts=not args.no_drafts,
                 base_path=urls.base_path(config.base_url) if args.base_url else "/")


def _deploy(args: argparse.Namespace) -> int:
    from sitegen.deploy import deploy

    return deploy(site_config(args), remote=args.remote, branch=args.branch,
                  message=args.message, push=not args.no_push)


if __name__ == "__main__":
    sys.exit(main())
