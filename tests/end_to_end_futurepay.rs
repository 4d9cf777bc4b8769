//! FuturePay with the `selectpay` binary: a purchase with an agreement, the gateway
//! reporting it, `selectpay agreements`, and `selectpay sweep` against a fake of WorldPay's
//! remote administration once the first payment is overdue.

mod support;

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

use selectpay_worldpay::fake::FakeRemoteAdmin;
use support::{BINARY, Server};

fn selectpay(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BINARY);
    command.args(args).arg("--data-dir").arg(data_dir);
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("SELECTPAY_")) {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    command.output().unwrap()
}

fn json_of(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overdue_agreement_is_cancelled_by_the_sweep_command() {
    let data_dir = tempfile::tempdir().unwrap();
    let server = Server::start([OsStr::new("--data-dir"), data_dir.path().as_os_str()]);
    let cart_id = server
        .purchase(json!({
            "amount": "14.99", "currency": "GBP", "description": "Tea club",
            "futurePay": {"type": "regular", "option": 0, "startDelay": {"unit": "week", "mult": 1},
                          "interval": {"unit": "month", "mult": 1}, "normalAmount": "9.99"}
        }))
        .await;
    let simulate = Command::new(BINARY)
        .args(["simulate", "pay", &cart_id, "--server", &server.url])
        .args(["--future-pay-id", "193743"])
        .output()
        .unwrap();
    assert!(simulate.status.success());

    let listed = json_of(&selectpay(data_dir.path(), &["agreements"], &[]));
    assert_eq!(listed[0]["futurePayId"], "193743");
    assert_eq!(listed[0]["status"], "active");
    let later = "2030-01-01T00:00:00Z";
    let due = json_of(&selectpay(
        data_dir.path(),
        &["agreements", "--due", "--now", later],
        &[],
    ));
    assert_eq!(due.as_array().unwrap().len(), 1);

    let dry = json_of(&selectpay(
        data_dir.path(),
        &["sweep", "--dry-run", "--now", later],
        &[],
    ));
    assert_eq!(dry["wouldAct"], 1);

    let gateway = FakeRemoteAdmin::start().await;
    let remote_admin = [
        ("SELECTPAY_REMOTE_ADMIN_URL", gateway.url()),
        ("SELECTPAY_REMOTE_ADMIN_INSTALLATION_ID", "99999"),
        ("SELECTPAY_REMOTE_ADMIN_PASSWORD", "remote-admin-password"),
    ];
    let summary = json_of(&selectpay(
        data_dir.path(),
        &["sweep", "--now", later],
        &remote_admin,
    ));
    assert_eq!(
        (&summary["suspended"], &summary["cancelled"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(gateway.cancellations("193743"), 1);

    assert!(
        server
            .dashboard()
            .await
            .contains("cancelled_for_non_payment")
    );
    let cart = server.cart(&cart_id).await;
    assert_eq!(cart["agreements"][0]["status"], "cancelled_for_non_payment");
    let again = json_of(&selectpay(
        data_dir.path(),
        &["sweep", "--now", later],
        &remote_admin,
    ));
    assert_eq!(again["due"], 0);
    assert_eq!(gateway.cancellations("193743"), 1);
}

/// Without remote administration the sweep still suspends overdue agreements here, and
/// says what to set to cancel them at WorldPay too.
#[test]
fn sweeping_without_remote_admin_settings_suspends_and_says_what_to_set() {
    let data_dir = tempfile::tempdir().unwrap();
    let output = selectpay(data_dir.path(), &["sweep"], &[]);
    assert_eq!(json_of(&output)["suspended"], 0);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("SELECTPAY_REMOTE_ADMIN_INSTALLATION_ID")
    );
}
