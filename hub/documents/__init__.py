"""The document store the hub controls (文书库): units upload the documents their events attach
by reference and fetch those of the events routed to them; the bytes never travel in Kafka.

Pure parts: `requests` (authenticating a signed request), `entitlement` (who may fetch a
document), `grants` (the decision for one request). `blobs` keeps the bytes, `lookup` reads the
store's events and deliveries, `app` and `server` serve them over HTTP.
"""

from hub.documents.server import DEFAULT_PORT, DocumentsServer

__all__ = ["DEFAULT_PORT", "DocumentsServer"]
