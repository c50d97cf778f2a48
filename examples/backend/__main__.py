"""Run the reference backend: ``python -m examples.backend [--host H] [--port P]``.

The data lives in ``DATABASE_URL`` (default ``sqlite:///salesflow-backend.db``,
a file in the current directory); a ``postgresql://user@host:port/db`` URL
switches to PostgreSQL.
"""

from __future__ import annotations

import argparse
import os

from examples.backend.db import DEFAULT_URL, Database


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m examples.backend", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="the port to listen on")
    args = parser.parse_args(argv)
    try:
        import uvicorn
        from examples.backend.api import create_app
    except ImportError as err:
        raise SystemExit(f"{err.name} is missing: pip install -e '.[api]'") from None
    database = Database(os.environ.get("DATABASE_URL", DEFAULT_URL))
    print(f"salesflow backend on http://{args.host}:{args.port} ({database.dialect.name})")
    uvicorn.run(create_app(database), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
