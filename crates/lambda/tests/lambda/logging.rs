//! The log line the `CallbackDeliveries` metric filter of template.yaml reads
//! (`{ $.fields.outcome = "*" }`, dimension `$.fields.outcome`), as Lambda's JSON log format
//! makes it: if the subscriber or the field changed, the metric would stop silently.
//!
//! The subscriber is process-wide and reads AWS_LAMBDA_LOG_FORMAT at start, so the test runs
//! itself again as a child process with Lambda's settings and reads the child's stdout.

use std::process::Command;

use crate::http_events::deployed;

const CHILD: &str = "SELECTPAY_LOGGING_CHILD";
const CHILD_TEST: &str = "logging::child_logs_one_callback_the_lambda_way";

#[test]
fn the_callback_log_line_carries_the_field_the_metric_filter_reads() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", CHILD_TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
        .env("AWS_LAMBDA_LOG_LEVEL", "INFO")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        // libtest may print its `test … ` prefix on the same line.
        .filter_map(|line| serde_json::from_str(&line[line.find('{')?..]).ok())
        .collect();
    let outcomes: Vec<_> = lines
        .iter()
        .filter_map(|line| line.pointer("/fields/outcome"))
        .collect();
    assert_eq!(outcomes, ["paid"], "{stdout}");
}

/// Only does something when started by the test above.
#[tokio::test]
async fn child_logs_one_callback_the_lambda_way() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    selectpay_lambda::init_logging();
    let aws = deployed();
    aws.cart("cart-b64").await;
    assert_eq!(aws.send("callback_base64_latin1.json").await.status(), 200);
}
