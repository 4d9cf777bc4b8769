//! `selectpay mail` and `selectpay mail resend ID` on the embedded store: mail that could
//! not be sent is listed (never its body), and one can be put back in line.

mod support;

use std::ffi::OsStr;
use std::process::{Command, Output};

use serde_json::Value;

use support::{BINARY, Server};

fn mail(data_dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(BINARY)
        .arg("mail")
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .expect("selectpay mail runs")
}

#[tokio::test]
async fn unsent_mail_is_listed_and_can_be_put_back_in_line() {
    let data_dir = tempfile::tempdir().unwrap();
    let server = Server::start([OsStr::new("--data-dir"), data_dir.path().as_os_str()]);
    // The outbox folder replaced by a file: every send fails, so the mail stays unsent.
    let outbox = data_dir.path().join("outbox");
    std::fs::remove_dir_all(&outbox).ok();
    std::fs::write(&outbox, b"not a folder").unwrap();

    let cart_id = server.buy_and_pay_three_times_at_once().await;

    let listed = mail(data_dir.path(), &[]);
    assert!(listed.status.success(), "{listed:?}");
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let listed = listed.as_array().expect("a list");
    let mut kinds: Vec<&str> = listed.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["order_notice", "receipt"]);
    for queued in listed {
        assert_eq!(queued["cartId"], cart_id.as_str());
        assert_eq!(queued["status"], "pending");
        assert!(queued["attempts"].as_u64().unwrap() >= 1, "{queued}");
        assert!(
            queued.get("body").is_none(),
            "no body in the listing: {queued}"
        );
    }

    let id = listed[0]["id"].as_str().unwrap();
    let resent = mail(data_dir.path(), &["resend", id]);
    assert!(resent.status.success(), "{resent:?}");
    assert!(String::from_utf8_lossy(&resent.stdout).contains("back in line"));
    let after: Value = serde_json::from_slice(&mail(data_dir.path(), &[]).stdout).unwrap();
    let requeued = after
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .expect("still unsent");
    assert_eq!(requeued["attempts"], 0);

    let unknown = mail(data_dir.path(), &["resend", "no-such-mail"]);
    assert!(!unknown.status.success());
}
