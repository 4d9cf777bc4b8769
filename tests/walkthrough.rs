//! The README's "Five minutes with selectpay", run as written: every `cargo run -- …` and
//! `export …` line of its shell blocks, in order, with the binary for `cargo run --` and the
//! test server's address for `http://127.0.0.1:3000`; each command's output must hold the
//! text its comment quotes in backquotes.

mod support;

use std::process::Command;

use support::{BINARY, Server};

const README: &str = include_str!("../README.md");
const README_URL: &str = "http://127.0.0.1:3000";

/// The walkthrough section of the README.
fn walkthrough() -> &'static str {
    let start = README
        .find("## Five minutes with selectpay")
        .expect("the README has its walkthrough");
    let end = README[start + 2..]
        .find("\n## ")
        .map_or(README.len(), |end| start + 2 + end);
    &README[start..end]
}

/// The lines of the section's ```sh blocks.
fn shell_lines(section: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut in_block = false;
    for line in section.lines() {
        match line.trim() {
            "```sh" => in_block = true,
            "```" => in_block = false,
            _ if in_block => lines.push(line),
            _ => {}
        }
    }
    lines
}

/// A command line and the text its comment promises.
fn expectation(line: &str) -> (&str, Option<&str>) {
    let Some((command, comment)) = line.split_once("  # ") else {
        return (line.trim(), None);
    };
    let promised = comment
        .split_once('`')
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(quoted, _)| quoted);
    (command.trim(), promised)
}

/// The body the README's `curl` purchase posts.
fn purchase_body(section: &str) -> serde_json::Value {
    let start = section
        .find("-d '")
        .expect("the walkthrough buys with curl -d")
        + 4;
    let end = start + section[start..].find('\'').expect("the body is quoted");
    serde_json::from_str(&section[start..end]).expect("the curl body is JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_walkthrough_does_what_it_says() {
    let section = walkthrough();
    let lines = shell_lines(section);
    assert_eq!(
        lines.first().copied(),
        Some("cargo run -- serve --fake-remote-admin")
    );
    let home = tempfile::tempdir().unwrap();
    let data_dir = home.path().join(".selectpay");
    let server = Server::start([
        "--fake-remote-admin".as_ref(),
        "--data-dir".as_ref(),
        data_dir.as_os_str(),
    ]);
    let cart_id = server.purchase(purchase_body(section)).await;

    let mut exported: Vec<(String, String)> = Vec::new();
    let mut checked = 0;
    for line in lines.iter().skip(1) {
        let line = line.replace(README_URL, &server.url);
        if let Some(assignments) = line.strip_prefix("export ") {
            for assignment in assignments.split_whitespace() {
                let (name, value) = assignment.split_once('=').expect("NAME=value");
                exported.push((name.to_owned(), value.to_owned()));
            }
            continue;
        }
        if line.starts_with("curl ") || line.starts_with("  ") {
            continue; // the purchase, made above with the same body
        }
        let (command, promised) = expectation(&line);
        let Some(args) = command.strip_prefix("cargo run -- ") else {
            panic!("walkthrough line {line:?} is neither cargo run, export nor curl");
        };
        let args = args
            .replace("simulate ", &format!("simulate --server {} ", server.url))
            .replace("<cartId>", &cart_id);
        let mut run = Command::new("sh");
        run.arg("-c")
            .arg(format!("'{BINARY}' {args}"))
            .current_dir(home.path());
        for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("SELECTPAY_")) {
            run.env_remove(name);
        }
        run.envs(exported.iter().map(|(n, v)| (n, v)));
        let output = run.output().unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let promised = promised.unwrap_or_else(|| panic!("{line:?} promises nothing"));
        assert!(
            printed.contains(promised),
            "`{command}` should print `{promised}`, printed:\n{printed}"
        );
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} walkthrough commands found");
    let outbox: Vec<_> = std::fs::read_dir(data_dir.join("outbox"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for suspended in [
        "shopper_notice-suspended_193743",
        "merchant_alert-suspended_193743",
    ] {
        assert!(
            outbox.iter().any(|name| name.contains(suspended)),
            "{suspended} in {outbox:?}"
        );
    }
}
