//! A TCP proxy between the browser and the server that can behave like a rural 2G link: about
//! 250 kbit/s each way, 300 ms of latency each way (600 ms round trip), and connections cut at
//! random points. It starts clean and is switched to "bad" by the test.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub struct Proxy {
    pub port: u16,
    bad: Arc<AtomicBool>,
    /// While set, nothing gets through either way, and no connection ends: a router that lost
    /// its uplink.
    stalled: Arc<AtomicBool>,
    /// While not 0, every connection is cut after it carried this many bytes of answers.
    answers_up_to: Arc<AtomicU64>,
    /// Connections cut so far.
    pub cuts: Arc<AtomicU64>,
}

/// 250 kbit/s in bytes per second.
const RATE: u64 = 250_000 / 8;
const LATENCY: Duration = Duration::from_millis(300);
/// While the link is bad, one chunk (of up to 1 KB) in this many cuts its connection, plus a
/// random share: requests and answers are torn at varying points.
const CUT_EVERY: u64 = 5;
const CUT_PERCENT: u64 = 5;

impl Proxy {
    pub async fn start(upstream_port: u16) -> anyhow::Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let bad = Arc::new(AtomicBool::new(false));
        let stalled = Arc::new(AtomicBool::new(false));
        let answers_up_to = Arc::new(AtomicU64::new(0));
        let cuts = Arc::new(AtomicU64::new(0));
        let upstream: SocketAddr = ([127, 0, 0, 1], upstream_port).into();
        let link = Arc::new(Link {
            bad: bad.clone(),
            stalled: stalled.clone(),
            answers_up_to: answers_up_to.clone(),
            cuts: cuts.clone(),
            rng: AtomicU64::new(0x2a2a),
            chunks: AtomicU64::new(0),
        });
        tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let link = link.clone();
                tokio::spawn(async move {
                    if let Ok(outbound) = TcpStream::connect(upstream).await {
                        pump_both(inbound, outbound, link).await;
                    }
                });
            }
        });
        Ok(Proxy {
            port,
            bad,
            stalled,
            answers_up_to,
            cuts,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Turns the 2G behaviour on or off (for new connections).
    pub fn set_bad(&self, bad: bool) {
        self.bad.store(bad, Ordering::SeqCst);
    }

    /// Holds everything on its way (or lets it go again), keeping connections open: requests
    /// get no answer and no error, as behind a router that lost its uplink.
    pub fn set_stalled(&self, stalled: bool) {
        self.stalled.store(stalled, Ordering::SeqCst);
    }

    /// Cuts every connection after it carried `bytes` of answers (headers included; answers
    /// that share a kept-alive connection share them), as a link that never carries more in
    /// one go; 0 lets answers through whole again.
    pub fn cut_answers_after(&self, bytes: u64) {
        self.answers_up_to.store(bytes, Ordering::SeqCst);
    }
}

/// The state shared by all connections: whether the link is bad now, and a random source.
struct Link {
    bad: Arc<AtomicBool>,
    stalled: Arc<AtomicBool>,
    answers_up_to: Arc<AtomicU64>,
    cuts: Arc<AtomicU64>,
    rng: AtomicU64,
    chunks: AtomicU64,
}

impl Link {
    fn cut_now(&self) -> bool {
        self.chunks.fetch_add(1, Ordering::SeqCst) % CUT_EVERY == CUT_EVERY - 1
            || self.roll(CUT_PERCENT)
    }

    fn roll(&self, percent: u64) -> bool {
        let s = self
            .rng
            .fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::SeqCst)
            .wrapping_mul(0xbf58_476d_1ce4_e5b9);
        (s >> 33) % 100 < percent
    }
}

async fn pump_both(inbound: TcpStream, outbound: TcpStream, link: Arc<Link>) {
    let (ri, wi) = inbound.into_split();
    let (ro, wo) = outbound.into_split();
    // Whichever side ends (or is cut) first ends the connection.
    let cut = tokio::select! {
        c = pump(ri, wo, &link, false) => c,
        c = pump(ro, wi, &link, true) => c,
    };
    if cut {
        link.cuts.fetch_add(1, Ordering::SeqCst);
    }
}

/// Copies one direction (`answers`: from the server); returns `true` when it cut the
/// connection.
async fn pump<R, W>(mut from: R, mut to: W, link: &Link, answers: bool) -> bool
where
    R: AsyncReadExt + Unpin,
    W: AsyncWriteExt + Unpin,
{
    let mut buf = vec![0u8; 1024];
    let mut last = tokio::time::Instant::now() - LATENCY;
    let mut carried = 0u64;
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => n,
        };
        while link.stalled.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let up_to = link.answers_up_to.load(Ordering::SeqCst);
        if answers && up_to > 0 && carried + n as u64 > up_to {
            let _ = to
                .write_all(&buf[..up_to.saturating_sub(carried) as usize])
                .await;
            return true;
        }
        carried += n as u64;
        if link.bad.load(Ordering::SeqCst) {
            // The first bytes of a burst wait out the latency; the rest only the bandwidth.
            let idle = last.elapsed() > Duration::from_millis(50);
            let transfer = Duration::from_millis(n as u64 * 1000 / RATE);
            tokio::time::sleep(if idle { LATENCY + transfer } else { transfer }).await;
            last = tokio::time::Instant::now();
            if link.cut_now() {
                // Part of the chunk gets through, then the connection is gone.
                let _ = to.write_all(&buf[..n / 2]).await;
                return true;
            }
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bad link really is slow and really cuts connections.
    #[tokio::test]
    async fn bad_link_cuts_connections() {
        let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let up_port = upstream.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = upstream.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 1024];
                    while let Ok(n) = s.read(&mut buf).await {
                        if n == 0 || s.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        let proxy = Proxy::start(up_port).await.unwrap();
        proxy.set_bad(true);
        let started = tokio::time::Instant::now();
        for _ in 0..10 {
            let mut s = TcpStream::connect(("127.0.0.1", proxy.port)).await.unwrap();
            for _ in 0..6 {
                if s.write_all(&[7u8; 1000]).await.is_err() {
                    break;
                }
                let mut back = [0u8; 1000];
                if s.read_exact(&mut back).await.is_err() {
                    break;
                }
            }
        }
        assert!(
            proxy.cuts.load(Ordering::SeqCst) > 0,
            "no connection was cut"
        );
        assert!(
            started.elapsed() > Duration::from_secs(1),
            "the link was not slow"
        );
    }
}
