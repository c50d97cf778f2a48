"""A reference backend for salesflow: an event store on SQLite or PostgreSQL, an outbox, an HTTP API.

Start it from the repository's root with ``python -m examples.backend`` (it
needs the ``api`` extra: ``pip install -e '.[api]'``); set ``DATABASE_URL``
to a ``postgresql://`` URL to use PostgreSQL (with ``psycopg[binary]``
installed). The modules, in the order a request meets them:

- ``api`` and ``openapi``: the FastAPI routes, the error-to-status mapping, and the
  OpenAPI document built from the library's generated JSON Schemas;
- ``service``: one request's work, without HTTP (commands read by
  ``salesflow.Command``, webhooks, reads);
- ``webhooks``: EasyPost, AfterShip and Shopify payloads to ``CarrierUpdate``;
- ``handler``: load, apply, append the new events, commit; retry on a race;
- ``aggregates``: how the store restores, snapshots and writes each aggregate;
- ``store`` and ``db``: the tables, over one DB-API code path for both databases.

docs/backend.md explains the storage recipe.
"""
