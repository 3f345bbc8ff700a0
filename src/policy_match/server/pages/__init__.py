"""The portal's HTML pages, server-rendered (Jinja2, no JavaScript): ``router`` is included
by ``server.app``.

- ``/`` the 政策找企业 column (:mod:`.column`), ``/policies/{id}`` the 一表读懂 page
  (:mod:`.policy`), ``/check`` the 政策计算器 (:mod:`.check`, its form from :mod:`.form`),
  ``/wall`` the 惠企政策墙 (:mod:`.wall`), ``/staff`` the hall staff's look-up
  (:mod:`.staff`), ``/static/*.css`` the style sheets (:mod:`.assets`).

Every page reads the service's current snapshot once and calls ``server.queries``, the same
functions as the JSON API; the words come from the catalogue (``pages.*``).
"""

from fastapi import APIRouter

from policy_match.server.pages import assets, check, column, policy, staff, wall

router = APIRouter()
for _part in (column, policy, check, wall, staff, assets):
    router.include_router(_part.router)

__all__ = ["router"]
