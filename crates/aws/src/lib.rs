//! AWS adapters of selectpay: a DynamoDB [`Store`] and an SES [`Mailer`].
//!
//! [`Store`]: selectpay_domain::ports::Store
//! [`Mailer`]: selectpay_domain::ports::Mailer
