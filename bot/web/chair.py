"""The chair's pages: signed in (the admin sign-in) with the chair's or an admin's role.

Other admin roles (communications, learning) sign in for their own pages; running the
forum (sessions, questions in advance, attendance figures, polls) is the chair's and the
admins' alone. Every such page checks it here, so the rule is written once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated

from fastapi import Depends

from bot.errors import UserFacingError
from bot.web.routes.admin import AdminDep

CHAIR_ROLES = frozenset({"admin", "chair"})
Admin = tuple[str, tuple[str, ...]]


def require_roles(admin: Admin, roles: Iterable[str], refusal: str) -> Admin:
    """The signed-in admin, if they hold one of `roles`; every role-gated page checks here.

    Raises:
        UserFacingError: Signed in, but with other roles only (`refusal` says who may).
    """
    if not set(roles) & set(admin[1]):
        raise UserFacingError(refusal)
    return admin


def roles_dep(roles: Iterable[str], refusal: str) -> Callable[[Admin], Admin]:
    """A FastAPI dependency that lets in the signed-in admins holding one of `roles`."""
    allowed = frozenset(roles)

    def dependency(admin: AdminDep) -> Admin:
        return require_roles(admin, allowed, refusal)

    return dependency


def require_chair(admin: Admin, doing: str = "manage sessions") -> Admin:
    """The signed-in admin, if they are the chair or an admin.

    Raises:
        UserFacingError: Signed in, but with another role only.
    """
    return require_roles(admin, CHAIR_ROLES, f"Only the chair or an admin can {doing}.")


def chair(admin: AdminDep) -> Admin:
    """The dependency form of `require_chair`, for the forum's pages."""
    return require_chair(admin, "see or change the forum's questions and figures")


ChairDep = Annotated[Admin, Depends(chair)]
