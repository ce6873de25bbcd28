"""HTTP handlers for users and tokens."""

from __future__ import annotations

from sanic import HTTPResponse, Request

from trove.accounts.emails import email_problems
from trove.accounts.passwords import password_problems
from trove.accounts.service import AccountsService, CurrentUser
from trove.contract import Call, operation
from trove.responses import json_response


@operation("createUser", rules={"email": email_problems, "password": password_problems})
async def create_user(request: Request, call: Call, accounts: AccountsService):
    user = await accounts.register(
        call.body["email"], call.body["password"], request.ctx.client_ip
    )
    return json_response(
        _user_body(user), status=201, headers={"Location": "/api/v1/users/me"}
    )


@operation("createToken")
async def create_token(request: Request, call: Call, accounts: AccountsService):
    token = await accounts.log_in(
        call.body["email"], call.body["password"], request.ctx.client_ip
    )
    body = {
        "access_token": token.value,
        "token_type": "Bearer",
        "expires_in": token.expires_in,
    }
    return json_response(body, headers={"Cache-Control": "no-store"})


@operation("getCurrentUser")
async def get_current_user(request: Request, call: Call):
    return json_response(_user_body(call.user))


def _user_body(user: CurrentUser) -> dict:
    return {"id": user.id, "email": user.email, "created_at": user.created_at}


@operation("deleteCurrentToken")
async def delete_current_token(request: Request, call: Call, accounts: AccountsService):
    await accounts.log_out(call.user)
    return HTTPResponse(status=204)


@operation("changePassword", rules={"new_password": password_problems})
async def change_password(request: Request, call: Call, accounts: AccountsService):
    await accounts.change_password(
        call.user, call.body["current_password"], call.body["new_password"]
    )
    return HTTPResponse(status=204)


@operation("deleteCurrentUser")
async def delete_current_user(request: Request, call: Call, accounts: AccountsService):
    await accounts.delete_account(call.user, call.body["password"])
    return HTTPResponse(status=204)
