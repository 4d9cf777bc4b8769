//! The outbox writes mail a mail client can read: checked by parsing the .eml files back.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use selectpay_domain::mail::{Mail, MailKind};
use selectpay_domain::ports::Mailer;
use selectpay_embedded::OutboxMailer;
use selectpay_store_conformance::fixtures::{T0, cart_id, email, mail_id};

fn mail(id: &str) -> Mail {
    Mail {
        id: mail_id(id),
        kind: MailKind::Receipt,
        cart_id: Some(cart_id("cart-1")),
        to: email("zoe@example.com"),
        subject: "Your receipt, Zoë Müller\r\nBcc: evil@example.com".to_owned(),
        text: "Dear Zoë Müller,\nTotal: £14.99 = paid in full\n".to_owned(),
        html: "<p>Dear Zoë Müller</p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n".to_owned(),
        created_at: T0,
    }
}

fn mailer(dir: &Path) -> OutboxMailer {
    OutboxMailer::new(dir, email("shop@example.com"))
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files
}

/// A message split into unfolded headers (by lower-case name) and its body.
struct Parsed {
    headers: HashMap<String, String>,
    body: String,
}

fn parse(message: &str) -> Parsed {
    let (head, body) = message
        .split_once("\r\n\r\n")
        .expect("blank line after headers");
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", "\t");
    let headers = unfolded
        .split("\r\n")
        .map(|line| {
            let (name, value) = line.split_once(':').expect("header line");
            (name.to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    Parsed {
        headers,
        body: body.to_owned(),
    }
}

impl Parsed {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
    }
}

fn base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sextets: Vec<u32> = text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
        .map(|b| ALPHABET.iter().position(|a| *a == b).expect("base64") as u32)
        .collect();
    sextets
        .chunks(4)
        .flat_map(|chunk| {
            let bits = chunk
                .iter()
                .enumerate()
                .fold(0, |acc, (i, s)| acc | s << (18 - 6 * i));
            let bytes = bits.to_be_bytes();
            bytes[1..chunk.len()].to_vec()
        })
        .collect()
}

fn quoted_printable(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match &bytes[i..] {
            [b'=', b'\r', b'\n', ..] => i += 3,
            [b'=', hi, lo, ..] => {
                let hex = std::str::from_utf8(&[*hi, *lo]).unwrap().to_owned();
                decoded.push(u8::from_str_radix(&hex, 16).expect("=XX escape"));
                i += 3;
            }
            [byte, ..] => {
                decoded.push(*byte);
                i += 1;
            }
            [] => unreachable!(),
        }
    }
    decoded
}

/// Decodes a header value made of RFC 2047 `=?utf-8?b?…?=` words and plain text.
fn decode_header(value: &str) -> String {
    let mut decoded = Vec::new();
    let mut previous_was_word = false;
    for (i, token) in value.split(' ').enumerate() {
        let word = token
            .strip_prefix("=?utf-8?b?")
            .and_then(|t| t.strip_suffix("?="));
        // Whitespace between two encoded words is folding, not content.
        if i > 0 && !(previous_was_word && word.is_some()) {
            decoded.push(b' ');
        }
        match word {
            Some(word) => decoded.extend(base64(word)),
            None => decoded.extend(token.bytes()),
        }
        previous_was_word = word.is_some();
    }
    String::from_utf8(decoded).expect("utf-8 header")
}

/// The text of the part whose content type starts with `content_type`, decoded.
fn part(message: &Parsed, content_type: &str) -> String {
    let boundary = message
        .header("content-type")
        .split_once("boundary=")
        .expect("multipart boundary")
        .1
        .trim_matches('"');
    let part = message
        .body
        .split(&format!("--{boundary}"))
        .map(|part| part.trim_start_matches("\r\n"))
        .filter(|part| part.contains("\r\n\r\n"))
        .map(parse)
        .find(|part| part.header("content-type").starts_with(content_type))
        .unwrap_or_else(|| panic!("no {content_type} part"));
    assert_eq!(
        part.header("content-type"),
        format!("{content_type}; charset=utf-8")
    );
    // The line break before the next boundary belongs to the boundary (RFC 2046).
    let body = part.body.strip_suffix("\r\n").unwrap_or(&part.body);
    let bytes = match part.header("content-transfer-encoding") {
        "quoted-printable" => quoted_printable(body),
        "base64" => base64(body),
        "7bit" | "8bit" => body.as_bytes().to_vec(),
        other => panic!("unexpected encoding {other}"),
    };
    String::from_utf8(bytes).expect("utf-8 part")
}

#[tokio::test]
async fn writes_a_readable_multipart_message() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    mailer(&outbox).send(&mail("receipt#T1")).await.unwrap();

    let files = files(&outbox);
    assert_eq!(files.len(), 1, "{files:?}");
    let raw = fs::read_to_string(&files[0]).unwrap();
    assert!(raw.is_ascii(), "an RFC 5322 message is ASCII on the wire");
    let message = parse(&raw);

    assert_eq!(message.header("from"), "shop@example.com");
    assert_eq!(message.header("to"), "zoe@example.com");
    assert_eq!(message.header("x-selectpay-mail-id"), "receipt#T1");
    assert_eq!(message.header("x-selectpay-kind"), "receipt");
    assert_eq!(message.header("mime-version"), "1.0");
    assert_eq!(message.header("date"), "Wed, 01 May 2024 12:00:00 +0000");
    assert!(
        message
            .header("content-type")
            .starts_with("multipart/alternative;")
    );

    let text = part(&message, "text/plain");
    assert_eq!(text, "Dear Zoë Müller,\r\nTotal: £14.99 = paid in full\r\n");
    let html = part(&message, "text/html");
    assert!(html.contains("<p>Dear Zoë Müller</p>"), "{html}");
    assert!(
        html.contains("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        "escaped HTML must stay escaped: {html}"
    );
    assert!(!html.contains("<script>"));
}

#[tokio::test]
async fn subjects_are_one_encoded_line() {
    let dir = tempfile::tempdir().unwrap();
    mailer(dir.path()).send(&mail("receipt#T1")).await.unwrap();
    let raw = fs::read_to_string(&files(dir.path())[0]).unwrap();
    let message = parse(&raw);

    assert!(!message.headers.contains_key("bcc"), "{raw}");
    let subject = decode_header(message.header("subject"));
    assert!(!subject.contains(['\r', '\n']), "{subject:?}");
    assert_eq!(subject, "Your receipt, Zoë Müller  Bcc: evil@example.com");
}

#[tokio::test]
async fn the_same_mail_is_one_file_and_names_are_safe() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = mailer(dir.path());
    let tricky = "../receipt#T1/ü";
    mailer.send(&mail(tricky)).await.unwrap();
    mailer.send(&mail(tricky)).await.unwrap();
    assert_eq!(
        files(dir.path()).len(),
        1,
        "the same mail id twice is one file"
    );

    // Sanitises to the same readable text as the first, and still must not overwrite it.
    mailer.send(&mail("..#receipt_T1/é")).await.unwrap();
    let files = files(dir.path());
    assert_eq!(files.len(), 2, "{files:?}");
    for file in &files {
        assert_eq!(file.parent(), Some(dir.path()));
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with("20240501T120000Z-receipt-"), "{name}");
        assert!(name.ends_with(".eml"), "{name}");
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)),
            "{name}"
        );
    }
}
