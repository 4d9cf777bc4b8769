use super::*;

fn parse_order_today(body: &[u8]) -> Result<Order, FieldErrors> {
    let gateways = Gateways::parse("worldpay").unwrap();
    parse_order(body, time::macros::date!(2026 - 11 - 22), &gateways)
}

#[test]
fn parses_a_full_order() {
    let order = parse_order_today(
        br#"{"amount":"14.99","currency":"GBP","description":"Tea",
            "shopper":{"name":"Zo\u00eb","email":"zoe@example.com","country":"GB"},
            "fields":{"MC_orderRef":"A-1"}}"#,
    )
    .unwrap();
    assert_eq!(order.amount.minor_units(), 1499);
    assert_eq!(order.shopper.name.as_deref(), Some("Zoë"));
    assert_eq!(order.custom_fields[0].name(), "MC_orderRef");
}

#[test]
fn names_every_bad_field() {
    let errors = parse_order_today(
        br#"{"amount":14.99,"currency":"GBP","description":"",
            "shopper":{"email":"nope","country":"gb","fax":"1"},
            "fields":{"orderRef":"x"},"colour":"red"}"#,
    )
    .unwrap_err();
    let names: Vec<&str> = errors.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "amount",
            "colour",
            "description",
            "fields.orderRef",
            "shopper.country",
            "shopper.email",
            "shopper.fax"
        ]
    );
}

#[test]
fn names_a_bad_amount_beside_a_bad_currency() {
    let errors =
        parse_order_today(br#"{"amount":"x","currency":"ZZZ","description":""}"#).unwrap_err();
    let names: Vec<&str> = errors.keys().map(String::as_str).collect();
    assert_eq!(names, ["amount", "currency", "description"]);
    let negative = parse_order_today(br#"{"amount":"-1","currency":"gbp","description":"x"}"#);
    assert!(negative.unwrap_err().contains_key("amount"));
}

#[test]
fn a_plan_amount_that_does_not_parse_is_named_for_why() {
    let errors = parse_order_today(
        br#"{"amount":"14.99","currency":"GBP","description":"Tea club",
            "futurePay":{"type":"regular","option":0,"startDate":"2026-12-01",
            "interval":{"unit":"month","mult":1},"normalAmount":"9.999"}}"#,
    )
    .unwrap_err();
    let reason = &errors["futurePay.normalAmount"];
    assert!(reason.contains("decimals"), "{reason}");
    assert_eq!(errors.len(), 1, "{errors:?}");
}

#[test]
fn rejects_non_objects_and_zero_amounts() {
    assert!(parse_order_today(b"[1]").unwrap_err().contains_key("body"));
    assert!(
        parse_order_today(br#"{"amount":"0.00","currency":"GBP","description":"x"}"#)
            .unwrap_err()
            .contains_key("amount")
    );
}
