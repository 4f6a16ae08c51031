import base64

import pytest
from rest_framework.test import APIClient

from accounts.factories import ApiTokenFactory


@pytest.fixture
def token_client():
    """A REST client that presents ``key`` as its token, from ``address``."""

    def make(key: str, address: str = "10.0.0.1") -> APIClient:
        client = APIClient(REMOTE_ADDR=address)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def read_token(member):
    return ApiTokenFactory(user=member, name="reader", scope="read")


@pytest.fixture
def write_token(member):
    return ApiTokenFactory(user=member, name="writer", scope="write")


def basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()
