//! The AWS adapters' integration tests, as one test binary (one link, not one per file), on
//! DynamoDB Local and the SES emulator.

mod conformance;
mod dynamodb;
mod ses;
