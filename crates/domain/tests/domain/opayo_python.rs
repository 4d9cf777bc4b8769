//! The Opayo crypt codec against an independent implementation (tests/domain/opayo_crypt.py on
//! Python's `cryptography`): what Rust encrypts, Python decrypts, and the other way round.
//!
//! Uses infra/.venv's interpreter (made by `infra/services.sh lint`, which `infra/test.sh`
//! runs before the tests, with `cryptography` pinned in infra/requirements-lint.txt), else
//! `python3` from PATH. Skipped, saying so on stderr, only when there is no Python at all; a
//! Python without `cryptography` fails the test.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use selectpay_domain::ids::CartId;
use selectpay_domain::money::{Currency, Money};
use selectpay_domain::opayo::{
    Address, EncryptionPassword, PurchaseRequest, ReturnFields, SendEmail, Status, decrypt, encrypt,
};

const PASSWORD: &str = "K3y+Iv.Opayo-16b";

fn password() -> EncryptionPassword {
    EncryptionPassword::new(PASSWORD).unwrap()
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/domain/opayo_crypt.py")
}

/// The interpreter to use, or `None` (after saying so) when this machine has no Python.
fn python() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/.venv/bin/python");
    let python = if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    };
    let has_python = Command::new(&python)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !has_python {
        // Straight to stderr: libtest captures `eprintln!`, and a skip must be seen.
        let _ = writeln!(
            io::stderr(),
            "SKIPPED: no python3, so the Opayo crypt is not checked against Python's cryptography"
        );
        return None;
    }
    let has_cryptography = Command::new(&python)
        .args(["-c", "import cryptography"])
        .status()
        .is_ok_and(|status| status.success());
    assert!(
        has_cryptography,
        "{} lacks the `cryptography` package: run ./infra/services.sh lint to make infra/.venv",
        python.display()
    );
    Some(python)
}

fn run_python(python: &Path, command: &str, input: &[u8]) -> Vec<u8> {
    let mut child = Command::new(python)
        .arg(script())
        .args([command, PASSWORD])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "opayo_crypt.py {command} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn purchase_plain_text() -> Vec<u8> {
    let address = Address {
        surname: "Müller".to_owned(),
        firstnames: "Zoë".to_owned(),
        address1: "1 Rue de l'Église".to_owned(),
        city: "Paris".to_owned(),
        post_code: "75001".to_owned(),
        country: "FR".to_owned(),
    };
    PurchaseRequest {
        cart_id: CartId::from_random([7; 16]),
        amount: Money::from_minor_units(123_456, Currency::parse("EUR").unwrap()),
        description: "Order at Example Shop".to_owned(),
        success_url: "https://shop.example/return/opayo".to_owned(),
        failure_url: "https://shop.example/return/opayo".to_owned(),
        customer_name: "Zoë Müller".to_owned(),
        customer_email: "zoe@example.com".to_owned(),
        billing: address.clone(),
        delivery: address,
        send_email: SendEmail::VendorOnly,
        vendor_email: "shop@example.com".to_owned(),
    }
    .plain_text()
    .unwrap()
}

/// Empty, one byte short of a block, exactly a block (a whole extra block of padding), every
/// byte value, and a real purchase request with ISO-8859-1 characters.
fn plain_texts() -> Vec<Vec<u8>> {
    vec![
        Vec::new(),
        b"0123456789abcde".to_vec(),
        b"0123456789abcdef".to_vec(),
        (0..=255).collect(),
        purchase_plain_text(),
    ]
}

#[test]
fn what_rust_encrypts_python_decrypts() {
    let Some(python) = python() else { return };
    for plain in plain_texts() {
        let crypt = encrypt(&plain, &password());
        assert_eq!(run_python(&python, "decrypt", crypt.as_bytes()), plain);
    }
}

#[test]
fn what_python_encrypts_rust_decrypts_and_both_write_the_same_crypt() {
    let Some(python) = python() else { return };
    for plain in plain_texts() {
        let crypt = String::from_utf8(run_python(&python, "encrypt", &plain)).unwrap();
        assert_eq!(decrypt(&crypt, &password()).unwrap(), plain);
        // Key and IV are fixed, so the two implementations must agree byte for byte.
        assert_eq!(crypt, encrypt(&plain, &password()));
    }
}

#[test]
fn a_result_encrypted_in_python_parses() {
    let Some(python) = python() else { return };
    let result = b"VendorTxCode=c0ffee&VPSTxId={1B2C3D4E-0000-4000-8000-000000000001}\
        &Status=OK&StatusDetail=0000 : The Authorisation was Successful.&Amount=1,234.56\
        &CardType=VISA&Last4Digits=0006";
    let crypt = String::from_utf8(run_python(&python, "encrypt", result)).unwrap();
    let fields = ReturnFields::from_crypt(&crypt, &password()).unwrap();
    assert_eq!(fields.status, Status::Ok);
    assert_eq!(fields.cart_id.as_str(), "c0ffee");
    let gbp = Currency::parse("GBP").unwrap();
    assert_eq!(
        fields
            .amount
            .unwrap()
            .in_currency(gbp)
            .unwrap()
            .minor_units(),
        123_456
    );
}
