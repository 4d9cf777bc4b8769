//! The SES mailer against the SES v2 emulator, read back from the emulator's store.

use selectpay_aws::SesMailer;
use selectpay_aws::testing::{local_ses_client, sent_mails};
use selectpay_domain::email::EmailAddress;
use selectpay_domain::mail::{Mail, MailKind};
use selectpay_domain::mail_id::MailId;
use selectpay_domain::ports::Mailer;
use selectpay_store_conformance::fixtures::{T0, cart_id, trans_id};

#[tokio::test]
async fn sends_text_and_html_in_utf8() {
    // Tests share the emulator: a recipient of this run's own picks out this mail.
    let recipient = format!("zoe+{}@example.com", getrandom::u64().unwrap());
    let mail = Mail {
        id: MailId::receipt(&trans_id("T1")),
        kind: MailKind::Receipt,
        cart_id: Some(cart_id("cart-1")),
        to: EmailAddress::parse(&recipient).unwrap(),
        subject: "Your receipt, Zoë Müller — £14.99".to_owned(),
        text: "Thank you, Zoë Müller.\r\nTotal: £14.99\n".to_owned(),
        html: "<p>Thank you, Zoë Müller &lt;script&gt; — £14.99</p>\n".to_owned(),
        created_at: T0,
    };
    let sender = EmailAddress::parse("orders@shop.example").unwrap();
    let mailer = SesMailer::new(local_ses_client().await, sender);
    mailer.send(&mail).await.expect("send");

    let sent: Vec<_> = sent_mails()
        .await
        .into_iter()
        .filter(|sent| sent.destination.to.contains(&recipient))
        .collect();
    let [sent] = sent.as_slice() else {
        panic!("expected one mail to {recipient}, found {sent:?}");
    };
    assert_eq!(sent.from, "orders@shop.example");
    assert_eq!(sent.destination.to, [recipient]);
    assert_eq!(sent.subject, mail.subject);
    assert_eq!(sent.body.text.as_deref(), Some(mail.text.as_str()));
    assert_eq!(sent.body.html.as_deref(), Some(mail.html.as_str()));
}
