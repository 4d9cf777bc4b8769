//! The Lambda wiring's tests, in one binary: the cold start from environment variables,
//! HTTP events (API Gateway v2, v1, ALB) through
//! `lambda_http` to the shared handlers on the embedded store, and the same on the AWS
//! adapters against DynamoDB Local and the SES v2 emulator.

mod aws_end_to_end;
mod cold_start;
mod http_events;
mod logging;
mod opayo_return;
mod request_counts;
mod support;
