//! The store conformance suite, the same one the SQLite store passes, on DynamoDB Local.

use selectpay_aws::testing::fresh_store;
use selectpay_store_conformance::store_conformance_tests;

store_conformance_tests!(fresh_store());
