//! What the Lambda tests share.

use lambda_http::{Body, Request, Response};

use selectpay_app::config::{Config, DevDefaults};

/// The development configuration: test mode, installation 38290, the dev secrets.
pub fn dev_config() -> Config {
    Config::load(
        |_| None,
        Some(&DevDefaults {
            public_base_url: "https://shop.example".into(),
        }),
    )
    .expect("development defaults are complete")
    .config
}

/// The raw JSON of a recorded event in `tests/lambda/events/`.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/lambda/events/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

/// An event as the runtime hands it to `lambda_http`: API Gateway v2, v1 or ALB JSON.
pub fn request(event: &str) -> Request {
    lambda_http::request::from_str(event).expect("a lambda_http event")
}

pub fn text(response: &Response<Body>) -> &str {
    match response.body() {
        Body::Text(text) => text,
        other => panic!("expected a text body, got {other:?}"),
    }
}
