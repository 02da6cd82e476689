"""``python -m meraki_standin``: run the stand-in Dashboard for a development environment.

Accounts: the key from ``--api-key`` or ``$MERAKI_DASHBOARD_API_KEY`` is the account ``default``. When
``$MERAKI_STANDIN_SECOND_API_KEY`` is set, its value is the key of a second account, ``second`` (the demo seed shows
it Globex and Umbrella); that key is read from the environment only, never from the arguments.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence

from .dashboard import FakeDashboard
from .limits import MerakiRateLimits
from .seed import SEEDS
from .server import StandinServer

SECOND_KEY_ENV = "MERAKI_STANDIN_SECOND_API_KEY"


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m meraki_standin",
        description="Run the stand-in Meraki Dashboard API for a development environment.",
        epilog=f"Set ${SECOND_KEY_ENV} to add a second account, named 'second', with that key (the demo seed "
        "shows it organizations 100002 Globex and 100004 Umbrella). It is read from the environment only.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8081, help="TCP port, 0 for any free one (default 8081)")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("MERAKI_DASHBOARD_API_KEY"),
        help="API key of the account 'default' (default: $MERAKI_DASHBOARD_API_KEY, preferred: arguments show "
        f"in ps); ${SECOND_KEY_ENV} adds the account 'second'",
    )
    parser.add_argument("--seed", choices=sorted(SEEDS), default="demo", help="initial data (default demo)")
    parser.add_argument(
        "--link-style",
        choices=["absolute", "api-relative"],
        default="absolute",
        help="Link header URLs: absolute (default), as the real Dashboard sends them, or api-relative "
        "(/organizations/...). The app follows both; the bare meraki SDK follows absolute links only on meraki.com.",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer (default 0)")
    parser.add_argument(
        "--rate-limits",
        action="store_true",
        help="enforce Meraki's limits (10 requests/s per organization, 100/s per IP) with 429 + Retry-After",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM.

    Args:
        argv: Arguments (default ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    args = build_parser().parse_args(argv)
    if not args.api_key:
        print("meraki-standin: give --api-key or set MERAKI_DASHBOARD_API_KEY", file=sys.stderr)
        return 2
    fake = FakeDashboard(api_key=args.api_key, link_style=args.link_style)
    second_key = os.environ.get(SECOND_KEY_ENV)
    if second_key:
        if second_key == args.api_key:
            print(f"meraki-standin: {SECOND_KEY_ENV} must differ from the default key", file=sys.stderr)
            return 2
        fake.add_account("second", second_key)
    SEEDS[args.seed](fake)
    limits = MerakiRateLimits() if args.rate_limits else None
    server = StandinServer(fake, host=args.host, port=args.port, latency=args.latency, limits=limits)

    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    server.start()
    accounts = ", ".join(fake.accounts)
    print(
        f"meraki-standin: serving {server.base_url} (seed {args.seed}, accounts {accounts})",
        file=sys.stderr,
        flush=True,
    )
    while not stopping.wait(0.5):
        pass
    server.stop()
    print("meraki-standin: stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
