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

use selectpay_app::App;

pub struct FinishSendsAfterReply {
    app: Arc<App>,
}

impl FinishSendsAfterReply {
    pub fn new(app: Arc<App>) -> Self {
        Self { app }
    }
}

impl<S> Layer<S> for FinishSendsAfterReply {
    type Service = FinishSends<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FinishSends {
            inner,
            app: Arc::clone(&self.app),
        }
    }
}

pub struct FinishSends<S> {
    inner: S,
    app: Arc<App>,
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
        let app = Arc::clone(&self.app);
        Box::pin(async move {
            let result = replied.await;
            app.finish_sends().await;
            result
        })
    }
}
