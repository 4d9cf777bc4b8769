//! What `selectpay simulate` prints: per reply its status and the outcome the local server
//! reported, a tally, then the cart as it is afterwards; or all of it as one JSON document.

use http::StatusCode;
use serde_json::{Value, json};

use crate::serve::OUTCOME_HEADER;

/// One reply to one posted callback.
pub struct Reply {
    pub number: usize,
    pub status: StatusCode,
    /// `None` from a server that does not say (on AWS).
    pub outcome: Option<String>,
    pub body: String,
}

impl Reply {
    pub fn outcome_of(headers: &http::HeaderMap) -> Option<String> {
        headers
            .get(OUTCOME_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

pub struct Report {
    pub cart_id: String,
    pub created: bool,
    pub replies: Vec<Reply>,
    /// The cart as the carts API shows it after the replies.
    pub cart: Option<Value>,
}

impl Report {
    pub fn json(&self) -> Value {
        json!({
            "cartId": self.cart_id,
            "created": self.created,
            "replies": self.replies.iter().map(|r| json!({
                "number": r.number,
                "status": r.status.as_u16(),
                "outcome": r.outcome,
            })).collect::<Vec<_>>(),
            "distinctBodies": self.distinct_bodies(),
            "cart": self.cart,
        })
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        for reply in &self.replies {
            out += &format!(
                "#{}: {} · {}\n",
                reply.number,
                reply.status,
                reply.outcome.as_deref().unwrap_or("(outcome not reported)")
            );
        }
        let mut statuses = std::collections::BTreeMap::<String, usize>::new();
        for reply in &self.replies {
            *statuses.entry(reply.status.to_string()).or_default() += 1;
        }
        for (status, count) in &statuses {
            out += &format!("{count} × {status}\n");
        }
        out += &format!("distinct reply bodies: {}\n", self.distinct_bodies());
        out += &match &self.cart {
            Some(cart) => cart_lines(cart),
            None => format!(
                "cart {}: not readable through the carts API\n",
                self.cart_id
            ),
        };
        out
    }

    fn distinct_bodies(&self) -> usize {
        let bodies: std::collections::HashSet<&str> =
            self.replies.iter().map(|r| r.body.as_str()).collect();
        bodies.len()
    }
}

fn cart_lines(cart: &Value) -> String {
    let text = |value: &Value| value.as_str().unwrap_or("-").to_owned();
    let list = |field: &str, shown: &dyn Fn(&Value) -> String| {
        let items: Vec<String> = cart[field]
            .as_array()
            .map(|items| items.iter().map(shown).collect())
            .unwrap_or_default();
        if items.is_empty() {
            "none".to_owned()
        } else {
            items.join(", ")
        }
    };
    let mut out = format!(
        "cart {}: {} · payments: {} · mails: {}\n",
        text(&cart["cartId"]),
        text(&cart["status"]),
        list("payments", &|p| format!(
            "{} {}",
            text(&p["transId"]),
            text(&p["status"])
        )),
        list("mails", &|m| format!(
            "{} ({})",
            text(&m["kind"]),
            if m["sentAt"].is_string() {
                "sent"
            } else {
                "not sent"
            }
        )),
    );
    for agreement in cart["agreements"].as_array().into_iter().flatten() {
        out += &format!(
            "agreement {}: {} · overdue at {}\n",
            text(&agreement["futurePayId"]),
            text(&agreement["status"]),
            agreement["overdueAt"].as_str().unwrap_or("never"),
        );
    }
    out
}
