"""A department acts on the documents a request attaches, not on their numbers: before it
registers a seal or freeze it fetches the 裁定书 and the 协助执行通知书 from the hub's document
store and checks each against the digest the request names (`connectors.sdk.DocumentClient`).
A document it cannot obtain, or whose bytes are not the ones named, is a reason to refuse."""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.sdk.documents import DocumentStoreError, DocumentTamperedError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from connectors.sdk.documents import DocumentClient
    from schemas.documents import DocumentRef


async def documents_problem(
    client: DocumentClient | None, attachments: Iterable[DocumentRef] | None
) -> str | None:
    """Why the attached documents cannot be acted on (in the words of the answer), or None when
    each was fetched and verified (or no document store is configured)."""
    if client is None:
        return None
    for ref in attachments or ():
        try:
            await client.fetch(ref)
        except DocumentTamperedError:
            return f"所附文书{ref.number}与请求所载摘要不符，不予办理；请重新送达"
        except DocumentStoreError as error:
            return f"未能取得所附文书{ref.number}（{error.code}），不予办理；请重新送达"
    return None
