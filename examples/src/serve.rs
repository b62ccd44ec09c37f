//! Serving a hyper service on hyper-util's auto builder: HTTP/1.1 and
//! HTTP/2 on one port, told apart by the connection's first bytes (the
//! HTTP/2 preface), over plain TCP (h2c by prior knowledge) or over TLS
//! (`h2` or `http/1.1` by ALPN), with graceful shutdown.
//!
//! The hyper example serves its routes with [`serve`] always; the axum
//! example does over TLS (`axum::serve` has no TLS, and serves HTTP/1.1
//! and h2c itself otherwise).

use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::{Body, Incoming};
use hyper::service::Service;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// How long a client may take over its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long open connections may take to finish once `stop` is done.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

type BoxError = Box<dyn StdError + Send + Sync>;

/// Serves `service` on every connection `listener` accepts, over TLS with
/// `tls` (whose ALPN protocols should be [`crate::tls::ALPN`]) if given,
/// until `stop` completes; then waits up to 5 s for the open connections
/// to finish. `stop` should end the open event streams first (as
/// `Shutdown::trigger_on` does), or they would hold their connections.
///
/// # Errors
///
/// None yet: a failed accept is retried, a failed connection logged.
pub async fn serve<S, B>(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    service: S,
    stop: impl Future<Output = ()>,
) -> io::Result<()>
where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let tls = tls.map(TlsAcceptor::from);
    let graceful = GracefulShutdown::new();
    let mut stop = pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    // Out of file descriptors, say: wait instead of spinning.
                    eprintln!("accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = stop.as_mut() => break,
        };
        let service = service.clone();
        let watcher = graceful.watcher();
        match &tls {
            None => {
                tokio::spawn(connection(stream, service, watcher));
            }
            Some(acceptor) => {
                let handshake = acceptor.accept(stream);
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await {
                        Ok(Ok(stream)) => connection(stream, service, watcher).await,
                        Ok(Err(err)) => eprintln!("TLS handshake failed: {err}"),
                        Err(_) => eprintln!("TLS handshake timed out"),
                    }
                });
            }
        }
    }
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        eprintln!("some connections did not close within {DRAIN_TIMEOUT:?}");
    }
    Ok(())
}

/// Serves one connection, HTTP/1.1 or HTTP/2 as the client speaks.
async fn connection<I, S, B>(io: I, service: S, watcher: Watcher)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: Service<Request<Incoming>, Response = Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection(TokioIo::new(io), service);
    if let Err(err) = watcher.watch(connection).await
        && !client_left(&*err)
    {
        eprintln!("connection error: {err}");
    }
}

/// Whether `err` is only a client that went away mid-response: the normal
/// end of an event stream, not worth a line.
fn client_left(err: &(dyn StdError + 'static)) -> bool {
    let mut source = Some(err);
    while let Some(err) = source {
        if let Some(err) = err.downcast_ref::<hyper::Error>()
            && err.is_incomplete_message()
        {
            return true;
        }
        if let Some(err) = err.downcast_ref::<io::Error>()
            && matches!(
                err.kind(),
                io::ErrorKind::UnexpectedEof
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::BrokenPipe
            )
        {
            return true;
        }
        source = err.source();
    }
    false
}
