"""The portal's HTML pages (being built): ``router`` is included by ``server.app``."""

from fastapi import APIRouter

router = APIRouter()
