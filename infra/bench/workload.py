"""What the bench feeds the functions: the tests' API Gateway event fixtures, real carts made
through the purchase-token function, and WorldPay callbacks for them.
"""

import json
import os
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[2]
EVENTS = REPO / "crates/lambda/tests/lambda/events"
sys.path.insert(0, str(REPO / "infra"))
from runtime_emulator import FUNCTION_ENV  # noqa: E402  the settings every function needs

TABLE = "selectpay-bench"
PEER_TABLE = "selectpay-bench-peer"
API_KEY = "dev-api-key"  # what the purchase.json fixture sends
CALLBACK_PASSWORD = "bench-callback-password"
INSTALLATION_ID = FUNCTION_ENV["SELECTPAY_INSTALLATION_ID"]
TRANS_TIME_MS = 1_795_341_600_000


def function_env(dynamodb_url, ses_url):
    """The functions' settings, their store and mail service at the given endpoints."""
    env = dict(FUNCTION_ENV)
    env.pop("AWS_MAX_ATTEMPTS")  # the SDK's default retries, as on Lambda
    env.update(
        AWS_LAMBDA_FUNCTION_NAME="selectpay-bench",
        AWS_DEFAULT_REGION=FUNCTION_ENV["AWS_REGION"],  # Lambda sets both; boto3 reads this one
        AWS_ENDPOINT_URL_DYNAMODB=dynamodb_url,
        AWS_ENDPOINT_URL_SESV2=ses_url,
        SELECTPAY_TABLE_NAME=TABLE,
        SELECTPAY_API_KEY=API_KEY,
        SELECTPAY_CALLBACK_PASSWORD=CALLBACK_PASSWORD,
        PEER_TABLE_NAME=PEER_TABLE,
        # The peer's code is read-only on Lambda: no __pycache__ written beside handler.py.
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def create_tables(dynamodb_url):
    definition = json.loads((REPO / "infra/table.json").read_text())
    for name in (TABLE, PEER_TABLE):
        request = dict(definition, TableName=name)
        urllib.request.urlopen(
            urllib.request.Request(
                dynamodb_url + "/",
                json.dumps(request).encode(),
                {
                    "Content-Type": "application/x-amz-json-1.0",
                    "X-Amz-Target": "DynamoDB_20120810.CreateTable",
                    "Authorization": "AWS4-HMAC-SHA256 Credential=local/20000101/eu-west-1/dynamodb/aws4_request, "
                    "SignedHeaders=host, Signature=0",
                },
            ),
            timeout=30,
        ).read()


def fixture(name):
    return (EVENTS / name).read_bytes()


def purchase_event():
    return fixture("purchase.json")


def scheduled_event():
    return fixture("scheduled_event.json")


def cart_id_of(invocation):
    reply = json.loads(invocation.reply)
    if reply.get("statusCode") != 201:
        raise RuntimeError(f"purchase-token answered {reply.get('statusCode')}: {reply.get('body', '')[:300]}")
    return json.loads(reply["body"])["cartId"]


def callback_event(cart_id):
    """WorldPay's payment response paying `cart_id` in full (the purchase fixture's 14.99 GBP),
    as the gateway simulator posts it: ISO-8859-1, every field the real gateway sends."""
    fields = [
        ("instId", INSTALLATION_ID), ("email", "zoe@example.com"), ("country", "GB"),
        ("amount", "14.99"), ("installation", INSTALLATION_ID), ("tel", "0123 456789012"),
        ("address", "Test Road\r\nTest Town\r\nTest City"), ("MC_log", "2379"),
        ("amountString", "&#163;14.99"), ("currency", "GBP"), ("testMode", "100"),
        ("compName", "Company Name"), ("postcode", "AB1 2CD"), ("desc", "Tea for two"),
        ("cartId", cart_id), ("countryString", "United Kingdom"), ("name", "Zoë Müller"),
        ("lang", "en"), ("transStatus", "Y"), ("transId", f"t-{cart_id}"),
        ("transTime", str(TRANS_TIME_MS)), ("rawAuthCode", "A"),
        ("rawAuthMessage", "cardbe.msg.testSuccess"), ("authAmount", "14.99"),
        ("authCurrency", "GBP"), ("authAmountString", "&#163;14.99"), ("cardType", "Visa"),
        ("AVS", "2222"), ("countryMatch", "Y"), ("authMode", "A"),
        ("callbackPW", CALLBACK_PASSWORD),
    ]
    event = json.loads(fixture("callback_plain_body.json"))
    event["body"] = urlencode(fields, encoding="iso-8859-1")
    return json.dumps(event).encode()


def check_paid_page(invocation):
    """The callback must have answered 200 with the thank-you page; anything else is a bench bug."""
    reply = json.loads(invocation.reply)
    if reply.get("statusCode") != 200 or "Thank you" not in reply.get("body", ""):
        raise RuntimeError(f"callback answered {reply.get('statusCode')}: {reply.get('body', '')[:300]}")


def check_ok(invocation):
    """A yardstick must have answered (an echo) or answered 200 (the store floor)."""
    reply = json.loads(invocation.reply)
    if reply.get("statusCode", 200) != 200:
        raise RuntimeError(f"answered {reply.get('statusCode')}: {reply.get('body', '')[:300]}")


def environment_line():
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{os.uname().machine}, {os.cpu_count()} CPUs (load average {load}), {os.uname().sysname} {os.uname().release}"
