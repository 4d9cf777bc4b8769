//! Mail after the reply. A callback answers as soon as its commit is in, leaving the mail
//! it committed sending in tasks; Lambda freezes the process once the runtime asks for the
//! next event, so this layer, outside the one that posts the reply, waits for those sends
//! before the runtime asks. The gateway never waits for SES, and no send is frozen halfway
//! (which could leave it to go a second time once its lease expired).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use lambda_runtime::tower::{Layer, Service};
use lambda_runtime::{Error, LambdaInvocation};

use crate::warm_up::WarmUp;

pub struct FinishSendsAfterReply {
    warm_up: Arc<WarmUp>,
}

impl FinishSendsAfterReply {
    pub fn new(warm_up: Arc<WarmUp>) -> Self {
        Self { warm_up }
    }
}

impl<S> Layer<S> for FinishSendsAfterReply {
    type Service = FinishSends<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FinishSends {
            inner,
            warm_up: Arc::clone(&self.warm_up),
        }
    }
}

pub struct FinishSends<S> {
    inner: S,
    warm_up: Arc<WarmUp>,
}

impl<S> Service<LambdaInvocation> for FinishSends<S>
where
    S: Service<LambdaInvocation, Response = (), Error = Error>,
    S::Future: Send + 'static,
{
    type Response = ();
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, invocation: LambdaInvocation) -> Self::Future {
        let replied = self.inner.call(invocation);
        let warm_up = Arc::clone(&self.warm_up);
        Box::pin(async move {
            let result = replied.await;
            // Every event waits for the warm-up; if it failed, no event committed mail.
            if let Some(app) = warm_up.ready() {
                app.finish_sends().await;
            }
            result
        })
    }
}
