"""A callback transport for unit tests: the mock gateway calls the merchant view through the test Client."""

from urllib.parse import urlsplit

from django.test import Client

from asvi_payment.mock_gateway import CallbackDelivery

calls: list[dict] = []


class ClientCallbackTransport:
    def post(self, url, fields):
        calls.append(dict(fields))
        response = Client().post(urlsplit(url).path, data=fields)
        return CallbackDelivery(response.status_code, response.content.decode())
