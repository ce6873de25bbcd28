"""Account lifecycle: revoked tokens, and tokens refused after a password change."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "revoked_tokens" (
    "jti" VARCHAR(64) NOT NULL PRIMARY KEY,
    "expires_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_revoked_tok_expires_b3eec6"
    ON "revoked_tokens" ("expires_at");
COMMENT ON TABLE "revoked_tokens" IS 'A token logged out before it expired, '
    'kept until it would expire.';
        ALTER TABLE "users" ADD "tokens_valid_after" TIMESTAMPTZ;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "users" DROP COLUMN "tokens_valid_after";
        DROP TABLE IF EXISTS "revoked_tokens";"""


MODELS_STATE = (
    "eJztWVtv2zYY/SuCnjIgC1LFl2xvSuqsXhe7SNSuaFEItEjLnClSlag4Ruf/PpK63xy7dZ"
    "M480tgfTdS57vwUPmmewwiEp7coDs2R9ASf6j+u/ZNp8BD4kej/ljTge/nWingYEKUQxBb"
    "2lyaKhWYhDwADhfaKSAhEiKIQifAPsdMrqabmrLWCHNdBDUWcW2CpixAGuYauvdxgOCxNk"
    "c+1yLKMZHiBYsITJQnchnIHLEOpu7OIkYUf42QeBMX8RkKRNzPX4QYU4juUZg++nN7ihGB"
    "Jdj+4VhGUAqbL30lvJyB4EqZyu1ObIeRyKMFc3/JZ4xm9uJ1pNRFFAWAI1gAkEaEJIinon"
    "i3QsCDCGXbhLkAoimIiEyD9I63kMt02x6NLft2YNm2XktR6lHAOBE5jMr0YspDhYAH7m2C"
    "qMtn4rHXWcXr5EDEVnLBD+bN5Rvz5qjX+UUuyESNxCU0SjSGUq1UCMBBHEThngMdpyu0Aa"
    "/j/VqAxrGHmjEve1agh4nrSfrjexKRCp4mE2uQt4bXg1vLvH4nw3th+JUouExrIDWGki4r"
    "0qNeJUtZEO3vofVGk4/ap/FooNBkIXcDtWJuZ33S5Z5AxJlN2cIGsAhkKk5FK9lb03kh6V"
    "IwAc58AQJo1zTMYG22dZVneFUJoMBVOZJoyn0mk+99qDq/NhGVfO0kjITFZgOwPac/MIIw"
    "rHfEBXaHlDf3Q2xf6QNRTNXKT2r4+U4gV27h198M4+ysb5ye9c67nX6/e356LmzVfuuq/p"
    "pmuRj+MRxZ5dqXggfmkgcw2eYIyBxe3CFgdDc5BYRV6zGgdBLvHF8fhOGCieaegXC2Dc41"
    "x93gXZ/1eas/OuKvTk83QFxYtSKudGXEnQBJPL7jpC17Ps5J+7joixeEY0qWSZ/tydGbjI"
    "TayVvMekzj7TtAsEjglMeH3jbZb46wgypItv9cimBPkr4LvpWXxxTcsQBzFDZwjcT16u0N"
    "IkChWc97QqaukjB72PurtN5TaToDfiYpzfBqIKZFLNvJaSlxuyWonxXzVUWNIAZxrrMnQT"
    "O/VChs7iCVx1pbgNT1QHefHd0tJ2pTLlb2eoFErLsBDeu2krBulYJlHbRVpRe9Hq73fcD4"
    "EUu+An4d+T9vx6M1uDdxHexw7V+N4HAfwV+Do4SixHDSUj66Nj9Wq/zyr/FFlbrIABeHa8"
    "fh2qEIwNaDruB0mHNbzbka9y9nop6GKxYg7NK3aKlSMRT7BtRpOsYrn0v3LAVt7F6IA7DI"
    "aGix9MS7izdGPOY+5u2l+Xqgr57m47WJAuzM9IZbQqI5XndHALnNs/mC/X/h88arTr9zft"
    "brZL2eSda1+MNM/Q4FYXIX35SmF1xeIEc3upuwdGG15vN0janLptoC4cT8BaL7cz5FM8oR"
    "bSCE7WS84HKg41vS8Sf9T+zqP8cSCqQ="
)
