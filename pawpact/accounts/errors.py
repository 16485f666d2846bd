from pawpact.core.errors import DomainError, ServiceUnavailable


class TokenExpired(DomainError):
    """The access token has expired: exchange the device's refresh token at `/auth/refresh`."""

    code = "token_expired"
    http_status = 401


class RefreshTokenInvalid(DomainError):
    """The refresh token is unknown, expired, or its device was signed out: sign in again."""

    code = "refresh_token_invalid"
    http_status = 401


class RefreshTokenReused(DomainError):
    """A refresh token was presented after it had been exchanged: the device is signed out, sign in again."""

    code = "refresh_token_reused"
    http_status = 401


class WeChatCodeInvalid(DomainError):
    """WeChat refused the login `code` (expired, used, or from another mini-program)."""

    code = "wechat_code_invalid"
    http_status = 401


class WeChatNotLinked(DomainError):
    """This WeChat user is not linked to a login of this shop yet: sign in once and link it."""

    code = "wechat_not_linked"
    http_status = 401


class WeChatAlreadyLinked(DomainError):
    """This WeChat user is already linked to another login of this shop."""

    code = "wechat_already_linked"
    http_status = 409


class WeChatUnavailable(ServiceUnavailable):
    """WeChat login is not set up for this shop, or WeChat did not answer: try again later."""

    code = "wechat_unavailable"


class OriginInvalid(DomainError):
    """Not a web origin: `https://host` (or `http://localhost:port` while developing), no path."""

    code = "origin_invalid"
    http_status = 400


class OriginLimitReached(DomainError):
    """The shop already allows the most origins it may (20): remove one first."""

    code = "origin_limit_reached"
    http_status = 422


class ApiKeyInvalid(DomainError):
    """The secret API key is unknown here: revoked, mistyped, or another shop's."""

    code = "api_key_invalid"
    http_status = 401


class ApiKeyWrongMode(DomainError):
    """A test key (`sk_test_`) sent to a live shop, or a live key (`sk_live_`) to a shop in test mode."""

    code = "api_key_wrong_mode"
    http_status = 401


class ApiKeyLimitReached(DomainError):
    """The shop already has the most secret keys it may (20 unrevoked): revoke one first."""

    code = "api_key_limit_reached"
    http_status = 422


class ApiKeyNameInvalid(DomainError):
    """A key needs a name (up to 100 characters) saying which system holds it."""

    code = "api_key_name_invalid"
    http_status = 400
