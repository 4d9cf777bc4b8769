//! The dashboard in a real browser: headless Chromium (Debian's `chromium`, which
//! `./infra/test.sh` installs when missing) loads the front page and a cart page after a
//! purchase, a payment and a tampered one, and the test reads what a person would see.
//! A screenshot of each page is kept under the target directory.

mod support;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use support::{BINARY, Server};

/// The browser: `$SELECTPAY_CHROMIUM`, else Debian's.
fn chromium() -> PathBuf {
    let path = std::env::var_os("SELECTPAY_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        path.exists(),
        "no Chromium at {}: run ./infra/test.sh (it installs Debian's chromium) or set \
         SELECTPAY_CHROMIUM",
        path.display()
    );
    path
}

/// Runs headless Chromium on `url` with `action` (`--dump-dom` or `--screenshot=…`) in a
/// fresh profile, and returns what it printed.
fn browse(url: &str, action: &str, profile: &Path) -> String {
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,1400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(action)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().expect("chromium runs").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish with {url} in 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().expect("chromium output");
    assert!(output.status.success(), "chromium failed on {url}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn simulate(server: &Server, args: &[&str]) -> Value {
    let output = Command::new(BINARY)
        .args(["simulate", "pay", "--server", &server.url, "--json"])
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "simulate printed {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The text of the element with this id in a dumped DOM, tags removed.
fn element_text(dom: &str, id: &str) -> String {
    let start = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {dom}"));
    let rest = &dom[start..];
    let end = rest.find("</table>").unwrap_or(rest.len());
    let mut text = String::new();
    let mut in_tag = false;
    for c in rest[..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_sees_the_paid_cart_the_decoded_name_and_the_review() {
    let data_dir = tempfile::tempdir().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let server = Server::start([OsStr::new("--data-dir"), data_dir.path().as_os_str()]);
    let paid = simulate(&server, &["--name", "Zoë Müller"]);
    let paid_cart = paid["cartId"].as_str().unwrap().to_owned();
    assert_eq!(paid["cart"]["status"], "paid");
    let tampered = simulate(&server, &["--amount", "0.01"]);
    assert_eq!(tampered["replies"][0]["outcome"], "review:amount_mismatch");
    let tampered_cart = tampered["cartId"].as_str().unwrap();

    let front = browse(&format!("{}/", server.url), "--dump-dom", profile.path());
    let attention = element_text(&front, "attention");
    assert!(attention.contains("review:amount_mismatch"), "{attention}");
    assert!(attention.contains(tampered_cart), "{attention}");
    assert!(
        front.contains(r#"<span class="badge attention">review:amount_mismatch</span>"#),
        "{front}"
    );
    assert!(element_text(&front, "carts").contains(&paid_cart));

    let page = format!("{}/carts/{paid_cart}", server.url);
    let cart = browse(&page, "--dump-dom", profile.path());
    assert!(
        cart.contains(r#"<span id="cart-status"><span class="badge good">paid</span>"#),
        "{cart}"
    );
    let timeline = element_text(&cart, "timeline");
    assert!(timeline.contains("Zoë Müller"), "{timeline}");
    assert!(!timeline.contains("callbackPW"), "{timeline}");
    assert!(timeline.contains("receipt"), "{timeline}");

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard-browser");
    std::fs::create_dir_all(&shots).unwrap();
    for (name, url) in [
        ("front.png", format!("{}/", server.url)),
        ("cart.png", page),
    ] {
        let file = shots.join(name);
        let _ = std::fs::remove_file(&file);
        browse(
            &url,
            &format!("--screenshot={}", file.display()),
            profile.path(),
        );
        assert!(
            file.metadata().unwrap().len() > 1000,
            "{} is empty",
            file.display()
        );
    }
}
