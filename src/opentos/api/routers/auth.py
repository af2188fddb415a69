"""Logging in, who am I, adding users, and the health probe."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from opentos.api.deps import Admin, Anyone, Public, StoreDep
from opentos.api.schemas import Health, Me, Token, UserCreate, UserCreated
from opentos.api.security import issue_token, signing_key_of
from opentos.operations.users import add_user, check_password

router = APIRouter()


@router.get("/health", tags=["server"], summary="The server is up and its database answers")
def health(_user: Public, store: StoreDep) -> Health:
    return Health(status="ok", terminal=store.layout.name)


@router.post("/token", tags=["identity"], summary="Log in: an access token for a person")
def token(
    _user: Public,
    request: Request,
    store: StoreDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token:
    user = check_password(store, form.username, form.password)
    expiry_s: int = request.app.state.settings.access_token_expiry_s
    return Token(
        access_token=issue_token(user, signing_key_of(request), expiry_s), expires_in=expiry_s
    )


@router.get("/me", tags=["identity"], summary="Who the credentials belong to")
def me(user: Anyone) -> Me:
    return Me.model_validate(user)


@router.post(
    "/users",
    tags=["identity"],
    status_code=status.HTTP_201_CREATED,
    summary="Add a user; its password or API key is in this response only",
)
def create_user(_user: Admin, store: StoreDep, body: UserCreate) -> UserCreated:
    added = add_user(store, body.name, body.role, body.party, api_key=body.api_key)
    u = added.user
    return UserCreated(
        name=u.name, role=u.role, party=u.party, kind=str(u.kind), secret=added.secret
    )
