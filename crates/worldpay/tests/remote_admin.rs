//! The iadmin client against the fake gateway: replies, failures, and what goes on the wire.

use std::time::{Duration, Instant};

use selectpay_domain::ids::{FuturePayId, InstallationId};
use selectpay_domain::ports::{AdminError, AdminReply, RemoteAdmin};
use selectpay_domain::secret::Secret;
use selectpay_worldpay::WorldPayRemoteAdmin;
use selectpay_worldpay::fake::{ALREADY_CANCELLED, Answer, FakeRemoteAdmin, PROBLEM};

const INSTALLATION: &str = "1234567";
/// Characters that form encoding must escape, and a non-ASCII one.
const PASSWORD: &str = "p&ss=w+rd %é";
const PASSWORD_ENCODED: &str = "p%26ss%3Dw%2Brd+%25%C3%A9";

fn admin(url: &str) -> WorldPayRemoteAdmin {
    WorldPayRemoteAdmin::new(
        url.to_owned(),
        InstallationId::parse(INSTALLATION).unwrap(),
        Secret::new(PASSWORD).unwrap(),
    )
    .unwrap()
}

fn id(value: &str) -> FuturePayId {
    FuturePayId::parse(value).unwrap()
}

fn assert_safe(error: &AdminError) {
    let shown = error.to_string();
    for secret in [PASSWORD, PASSWORD_ENCODED, "p&ss", "p%26ss"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(shown.chars().count() <= 400, "{shown}");
}

#[tokio::test]
async fn y_is_done_and_a_second_cancel_is_refused() {
    let fake = FakeRemoteAdmin::start().await;
    let admin = admin(fake.url());

    assert_eq!(
        admin.cancel_agreement(&id("4815162342")).await.unwrap(),
        AdminReply::Done("Agreement cancelled".into())
    );
    assert_eq!(fake.cancellations("4815162342"), 1);
    assert_eq!(fake.cancelled(), ["4815162342"]);

    // Cancelling again: nothing left to cancel, which is what a cancellation wants.
    assert_eq!(
        admin.cancel_agreement(&id("4815162342")).await.unwrap(),
        AdminReply::Done("Agreement already cancelled".into())
    );
    assert_eq!(fake.cancellations("4815162342"), 2);
    assert_eq!(fake.cancellations("other"), 0);
}

#[tokio::test]
async fn e_is_refused_with_its_message_per_agreement_or_globally() {
    let fake = FakeRemoteAdmin::start().await;
    let admin = admin(fake.url());
    fake.answer_for("100", Answer::Text(PROBLEM.to_owned()));
    fake.answer_for("200", Answer::Text(ALREADY_CANCELLED.to_owned()));

    assert_eq!(
        admin.cancel_agreement(&id("100")).await.unwrap(),
        AdminReply::Refused("Problem cancelling agreement".into())
    );
    assert_eq!(
        admin.cancel_agreement(&id("200")).await.unwrap(),
        AdminReply::Done("Agreement already cancelled".into())
    );
    // Others still get the default answer.
    assert_eq!(
        admin.cancel_agreement(&id("300")).await.unwrap(),
        AdminReply::Done("Agreement cancelled".into())
    );

    fake.answer(Answer::refused("Agreement not found"));
    assert_eq!(
        admin.cancel_agreement(&id("400")).await.unwrap(),
        AdminReply::Refused("Agreement not found".into())
    );
    // A per-agreement answer wins over the global one.
    assert_eq!(
        admin.cancel_agreement(&id("100")).await.unwrap(),
        AdminReply::Refused("Problem cancelling agreement".into())
    );
}

#[tokio::test]
async fn the_body_decides_not_the_status() {
    let fake = FakeRemoteAdmin::start().await;
    let admin = admin(fake.url());
    fake.answer(Answer::Http {
        status: 500,
        content_type: "text/plain".into(),
        body: "E,Problem cancelling agreement\r\n".into(),
    });
    assert_eq!(
        admin.cancel_agreement(&id("1")).await.unwrap(),
        AdminReply::Refused("Problem cancelling agreement".into())
    );
    fake.answer(Answer::Http {
        status: 404,
        content_type: "text/plain".into(),
        body: "  Y,Agreement cancelled  ".into(),
    });
    assert_eq!(
        admin.cancel_agreement(&id("1")).await.unwrap(),
        AdminReply::Done("Agreement cancelled".into())
    );
}

#[tokio::test]
async fn anything_but_y_or_e_is_an_error() {
    let fake = FakeRemoteAdmin::start().await;
    let admin = admin(fake.url());
    let answers = [
        Answer::server_error(),
        Answer::Text(String::new()),
        Answer::Text("  \r\n".into()),
        Answer::Text("OK".into()),
        Answer::Text("N,Agreement cancelled".into()),
        Answer::Text(format!("<html>{}</html>", "x".repeat(100_000))),
        Answer::Http {
            status: 200,
            content_type: "text/html".into(),
            body: "<html><body>Y,Agreement cancelled</body></html>".into(),
        },
    ];
    for answer in answers {
        fake.answer(answer.clone());
        let error = admin
            .cancel_agreement(&id("1"))
            .await
            .expect_err(&format!("{answer:?}"));
        assert_safe(&error);
        let shown: String = format!("{answer:?}").chars().take(60).collect();
        println!("{shown} → {error}");
    }

    fake.answer(Answer::server_error());
    let error = admin.cancel_agreement(&id("1")).await.unwrap_err();
    let shown = error.to_string();
    assert!(shown.contains("HTTP 500"), "{shown}");
    assert!(!shown.contains("encountered an internal error"), "{shown}");
}

#[tokio::test]
async fn a_hang_up_is_an_error() {
    let fake = FakeRemoteAdmin::start().await;
    let admin = admin(fake.url());
    fake.answer_for("1", Answer::HangUp);
    let error = admin.cancel_agreement(&id("1")).await.unwrap_err();
    assert_safe(&error);
    assert_eq!(
        fake.cancellations("1"),
        1,
        "the request arrived before the hang-up"
    );
    // The next request gets a fresh connection and an answer.
    assert!(admin.cancel_agreement(&id("2")).await.is_ok());
}

#[tokio::test]
async fn a_slow_gateway_times_out() {
    let fake = FakeRemoteAdmin::start().await;
    let admin = admin(fake.url())
        .with_timeouts(Duration::from_secs(1), Duration::from_millis(300))
        .unwrap();
    fake.answer(Answer::stall(Duration::from_secs(5)));

    let started = Instant::now();
    let error = admin.cancel_agreement(&id("1")).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert!(error.to_string().contains("within 300 ms"), "{error}");
    assert_safe(&error);
}

#[tokio::test]
async fn a_gateway_that_went_down_is_an_error_at_once() {
    let fake = FakeRemoteAdmin::start().await;
    let admin = admin(fake.url());
    assert!(admin.cancel_agreement(&id("1")).await.is_ok());

    fake.go_down().await;
    let started = Instant::now();
    let error = admin.cancel_agreement(&id("2")).await.unwrap_err();
    let elapsed = started.elapsed();
    // Refused, not waited out: well under the 3 s connect and 10 s total timeouts.
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert_safe(&error);
    println!("down → {error}");
    assert_eq!(fake.cancellations("2"), 0);
}

#[tokio::test]
async fn a_closed_port_is_an_error_at_once() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let admin = admin(&format!("http://127.0.0.1:{port}/wcc/iadmin"));
    let started = Instant::now();
    let error = admin.cancel_agreement(&id("1")).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    let shown = error.to_string();
    assert!(
        shown.starts_with("remote administration unreachable: "),
        "{shown}"
    );
    assert!(shown.contains(&format!("127.0.0.1:{port}")), "{shown}");
    assert_safe(&error);
}

#[tokio::test]
async fn the_request_is_a_form_post_with_the_four_fields() {
    let fake = FakeRemoteAdmin::start().await;
    let admin = admin(fake.url());
    admin.cancel_agreement(&id("FP-42/a&b")).await.unwrap();

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/wcc/iadmin");
    assert_eq!(
        request.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        request.body,
        format!(
            "instId={INSTALLATION}&authPW={PASSWORD_ENCODED}&futurePayId=FP-42%2Fa%26b&op-cancelFP="
        )
    );
    let fields: Vec<(&str, &str)> = request
        .fields
        .iter()
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("instId", INSTALLATION),
            ("authPW", PASSWORD),
            ("futurePayId", "FP-42/a&b"),
            ("op-cancelFP", ""),
        ]
    );
    assert!(request.is_cancel_of("FP-42/a&b"));
}

#[tokio::test]
async fn the_password_is_never_shown() {
    let fake = FakeRemoteAdmin::start().await;
    let admin = admin(fake.url());
    // A gateway that echoes the request back.
    fake.answer(Answer::Http {
        status: 400,
        content_type: "text/plain".into(),
        body: format!("authPW={PASSWORD_ENCODED} ({PASSWORD}) is wrong"),
    });
    let error = admin.cancel_agreement(&id("1")).await.unwrap_err();
    assert_safe(&error);
    assert!(error.to_string().contains("***"), "{error}");

    fake.answer(Answer::refused(&format!("bad authPW {PASSWORD}")));
    assert_eq!(
        admin.cancel_agreement(&id("1")).await.unwrap(),
        AdminReply::Refused("bad authPW ***".into())
    );

    let debug = format!("{admin:?}");
    assert!(
        !debug.contains(PASSWORD) && !debug.contains("p&ss"),
        "{debug}"
    );
}

#[tokio::test]
async fn the_fake_stops_when_dropped() {
    let fake = FakeRemoteAdmin::start().await;
    let addr = fake.addr();
    drop(fake);
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        tokio::task::yield_now().await;
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            break;
        }
        assert!(Instant::now() < deadline, "still listening on {addr}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
