//! Runs selectpay's shared handlers on AWS Lambda.

pub mod apigw;
pub mod secrets;
