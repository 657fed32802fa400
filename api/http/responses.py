"""Responses serialised once: the engine's decision data and validated models go out as JSON without
FastAPI validating them again (a thousand decisions in a batch would cost more to re-validate than to
decide)."""

from __future__ import annotations

import orjson
from fastapi.responses import Response
from pydantic import BaseModel


def model_response(model: BaseModel, status: int = 200) -> Response:
    """The model as JSON, serialised once (it is already validated; FastAPI would validate it again)."""
    return Response(model.model_dump_json(), status_code=status, media_type="application/json")


def data_response(data: dict, status: int = 200) -> Response:
    """Decision data as JSON (the engine writes it to the contract; tests hold it there)."""
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")
