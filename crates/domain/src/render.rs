//! Pages shown to shoppers and mail bodies, from templates a merchant can replace.
//!
//! Templates ending in `.html` are auto-escaped: everything in a callback is
//! shopper-entered data.

use minijinja::{AutoEscape, Environment};
use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum RenderError {
    #[error("unknown template `{0}`")]
    UnknownTemplate(String),
    #[error("template `{name}`: {source}")]
    Template {
        name: String,
        source: minijinja::Error,
    },
}

/// The built-in templates, by the names a merchant overrides them with.
pub const BUILTIN: &[(&str, &str)] = &[
    ("layout.html", include_str!("../templates/layout.html")),
    (
        "page_thanks.html",
        include_str!("../templates/page_thanks.html"),
    ),
    (
        "page_cancelled.html",
        include_str!("../templates/page_cancelled.html"),
    ),
    (
        "page_review.html",
        include_str!("../templates/page_review.html"),
    ),
    (
        "page_declined.html",
        include_str!("../templates/page_declined.html"),
    ),
    (
        "page_not_authorised.html",
        include_str!("../templates/page_not_authorised.html"),
    ),
    (
        "page_pending.html",
        include_str!("../templates/page_pending.html"),
    ),
    (
        "page_not_completed.html",
        include_str!("../templates/page_not_completed.html"),
    ),
    (
        "page_bad_result.html",
        include_str!("../templates/page_bad_result.html"),
    ),
    (
        "page_confirming.html",
        include_str!("../templates/page_confirming.html"),
    ),
    (
        "mail_receipt.txt",
        include_str!("../templates/mail_receipt.txt"),
    ),
    (
        "mail_receipt.html",
        include_str!("../templates/mail_receipt.html"),
    ),
    (
        "mail_order_notice.txt",
        include_str!("../templates/mail_order_notice.txt"),
    ),
    (
        "mail_order_notice.html",
        include_str!("../templates/mail_order_notice.html"),
    ),
    (
        "mail_alert.txt",
        include_str!("../templates/mail_alert.txt"),
    ),
    (
        "mail_alert.html",
        include_str!("../templates/mail_alert.html"),
    ),
    (
        "purchase_form.html",
        include_str!("../templates/purchase_form.html"),
    ),
];

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn builtin() -> Self {
        Self::with_overrides(Vec::new()).expect("built-in templates compile")
    }

    /// The built-in templates with some replaced by the merchant's own versions.
    pub fn with_overrides(overrides: Vec<(String, String)>) -> Result<Self, RenderError> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        for (name, source) in BUILTIN {
            env.add_template(name, source)
                .map_err(|source| template_error(name, source))?;
        }
        for (name, source) in overrides {
            if !BUILTIN.iter().any(|(builtin, _)| *builtin == name) {
                return Err(RenderError::UnknownTemplate(name));
            }
            env.add_template_owned(name.clone(), source)
                .map_err(|source| template_error(&name, source))?;
        }
        Ok(Self { env })
    }

    pub fn render(&self, name: &str, context: impl Serialize) -> Result<String, RenderError> {
        self.env
            .get_template(name)
            .and_then(|template| template.render(context))
            .map_err(|source| template_error(name, source))
    }
}

fn template_error(name: &str, source: minijinja::Error) -> RenderError {
    RenderError::Template {
        name: name.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merchant_can_replace_a_template() {
        let templates = Templates::with_overrides(vec![(
            "page_cancelled.html".into(),
            "<wpdisplay item=banner>Changed your mind, {{ name }}?".into(),
        )])
        .unwrap();
        let page = templates
            .render("page_cancelled.html", serde_json::json!({"name": "<b>"}))
            .unwrap();
        assert_eq!(page, "<wpdisplay item=banner>Changed your mind, &lt;b&gt;?");
    }

    #[test]
    fn unknown_or_broken_overrides_are_refused() {
        let unknown = Templates::with_overrides(vec![("nope.html".into(), String::new())]);
        assert!(matches!(unknown, Err(RenderError::UnknownTemplate(_))));
        let broken =
            Templates::with_overrides(vec![("page_thanks.html".into(), "{% if %}".into())]);
        assert!(matches!(broken, Err(RenderError::Template { .. })));
    }
}
