"""The bench's peer: WorldPay's payment callback in Python with aws-lambda-powertools.

The same job as selectpay's callback function, the way a Powertools user would write it:
check the callback password (constant time) and the installation id, load the cart
selectpay's purchase-token function created (same table), record the payment once with
Powertools' idempotency utility (DynamoDB persistence, keyed by `transId`), and answer a
page; a repeat gets the saved page. It sends no mail. Run under awslambdaric:
`python -m awslambdaric handler.lambda_handler` in this folder.
"""

import base64
import hmac
import html
import os
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl

import boto3
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

CART_TABLE = os.environ["SELECTPAY_TABLE_NAME"]
PEER_TABLE = os.environ["PEER_TABLE_NAME"]
CALLBACK_PASSWORD = os.environ["SELECTPAY_CALLBACK_PASSWORD"].encode()
INSTALLATION_ID = os.environ["SELECTPAY_INSTALLATION_ID"]

dynamodb = boto3.client("dynamodb")
persistence = DynamoDBPersistenceLayer(
    table_name=PEER_TABLE, key_attr="pk", sort_key_attr="sk", boto3_client=dynamodb
)
config = IdempotencyConfig(event_key_jmespath="transId", raise_on_no_idempotency_key=True)


def form_of(event):
    body = event.get("body") or ""
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode("latin-1")
    content_type = {k.lower(): v for k, v in (event.get("headers") or {}).items()}.get("content-type", "")
    charset = "iso-8859-1"
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip('"')
    return dict(parse_qsl(raw.decode("ascii", errors="replace"), encoding=charset))


def minor_units(amount):
    try:
        minor = Decimal(amount).scaleb(2)
    except InvalidOperation:
        return None
    return int(minor) if minor == minor.to_integral_value() else None


def page(status, text):
    return {"status": status, "page": f"<!doctype html><html><body><p>{html.escape(text)}</p></body></html>"}


@idempotent_function(data_keyword_argument="payment", persistence_store=persistence, config=config)
def record_payment(payment):
    cart = dynamodb.get_item(
        TableName=CART_TABLE, Key={"pk": {"S": f"CART#{payment['cartId']}"}, "sk": {"S": "CART"}}
    ).get("Item")
    if cart is None:
        return page(200, "Payment received; we are checking it.")
    if payment["transStatus"] != "Y":
        return page(200, "Your payment was cancelled.")
    matches = (
        minor_units(payment["amount"]) == int(cart["amountMinor"]["N"])
        and payment["currency"] == cart["currency"]["S"]
    )
    dynamodb.put_item(
        TableName=PEER_TABLE,
        Item={
            "pk": {"S": f"CART#{payment['cartId']}"},
            "sk": {"S": f"PAYMENT#{payment['transId']}"},
            "status": {"S": "accepted" if matches else "review:amount_mismatch"},
            "amount": {"S": payment["amount"]},
            "currency": {"S": payment["currency"]},
        },
        ConditionExpression="attribute_not_exists(pk)",
    )
    if not matches:
        return page(200, "Payment received; we are checking it.")
    return page(200, f"Thank you, {payment['name']}: your payment for cart {payment['cartId']} is confirmed.")


def lambda_handler(event, context):
    config.register_lambda_context(context)
    form = form_of(event)
    authentic = hmac.compare_digest(form.get("callbackPW", "").encode("latin-1", "replace"), CALLBACK_PASSWORD)
    if not authentic or form.get("instId") != INSTALLATION_ID:
        outcome = page(403, "Forbidden")
    else:
        fields = ("cartId", "transId", "transStatus", "amount", "currency", "name")
        outcome = record_payment(payment={name: form.get(name, "") for name in fields})
    return {
        "statusCode": outcome["status"],
        "headers": {"content-type": "text/html; charset=utf-8"},
        "body": outcome["page"],
    }
