"""What every endpoint that posts stock shares: the ``Idempotency-Key`` header and the posting it answers with.

A posting sent again with the same key is not posted again: the first posting is answered,
with 200 instead of 201 (see :func:`plantops.services.inventory.ledger.post_moves`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response, status
from pydantic import BaseModel

from plantops.api.schemas import Exact
from plantops.services.inventory.stock import PostingSummary

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=128,
        pattern=r"^[\x21-\x7e]+$",
        description="Posts once: the same key answers the first posting again.",
    ),
]


class PostedMoveOut(BaseModel):
    move_type: str
    item: str
    location: str
    lot: str | None
    quantity: Exact


class PostingOut(BaseModel):
    posting_id: int
    replayed: bool
    moves: list[PostedMoveOut]


def posting_out(summary: PostingSummary, response: Response) -> PostingOut:
    """The posting as the API answers it; a replayed one answers 200 rather than 201."""
    if summary.replayed:
        response.status_code = status.HTTP_200_OK
    return PostingOut(
        posting_id=summary.posting_id,
        replayed=summary.replayed,
        moves=[
            PostedMoveOut(move_type=m.move_type.value, item=m.item, location=m.location, lot=m.lot, quantity=m.quantity)
            for m in summary.moves
        ],
    )
