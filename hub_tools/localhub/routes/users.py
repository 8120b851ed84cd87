"""whoami: who a token belongs to."""

from __future__ import annotations

import hashlib

from .. import errors
from ..auth import Identity
from ..http import Request, Response
from .base import RouteBase


class UserRoutes(RouteBase):
    """whoami."""

    def whoami(self, req: Request) -> Response:
        identity: Identity = req.identity
        if identity.is_anonymous:
            raise errors.unauthorized("Invalid user token. A token is required (Authorization: Bearer ...)")
        return Response.json({
            "type": "user", "id": hashlib.sha1(identity.user.encode()).hexdigest()[:24], "name": identity.user,
            "fullname": identity.user, "email": None, "emailVerified": False, "isPro": False, "canPay": False,
            "orgs": [{"type": "org", "name": org, "fullname": org, "roleInOrg": "write"} for org in identity.orgs],
            "auth": {"type": "access_token", "accessToken": {"displayName": "localhub", "role": "write"}},
        })
