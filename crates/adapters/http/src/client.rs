//! Who is calling: the trusted client IP (SPEC §3) and the User-Agent.

use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::http::header;
use portcullis_domain::ClientInfo;

use crate::state::TrustedNet;

/// The client IP: the peer, unless the peer is a trusted proxy; then the right-most
/// address of `X-Forwarded-For` that is not a trusted proxy. A client can never pick
/// its own address through a header: from an untrusted peer the header is ignored.
pub fn client_ip(req: &HttpRequest, trusted: &[TrustedNet]) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip().to_canonical())?;
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let mut hops: Vec<IpAddr> = Vec::new();
    for value in req.headers().get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else {
            return Some(peer);
        };
        for part in text.split(',') {
            match part.trim().parse::<IpAddr>() {
                Ok(ip) => hops.push(ip.to_canonical()),
                // A garbled chain cannot be trusted past the proxy that sent it.
                Err(_) => return Some(peer),
            }
        }
    }
    Some(
        hops.iter()
            .rev()
            .copied()
            .find(|ip| !is_trusted(*ip))
            .or(hops.first().copied())
            .unwrap_or(peer),
    )
}

/// Client IP and User-Agent of a request.
pub fn client_info(req: &HttpRequest, trusted: &[TrustedNet]) -> ClientInfo {
    let ua = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    ClientInfo::new(client_ip(req, trusted), ua)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn net(s: &str, prefix: u8) -> TrustedNet {
        TrustedNet {
            addr: s.parse().unwrap(),
            prefix,
        }
    }

    #[test]
    fn untrusted_peer_cannot_spoof_forwarded_for() {
        let req = TestRequest::default()
            .peer_addr("203.0.113.9:5000".parse().unwrap())
            .insert_header(("x-forwarded-for", "1.2.3.4"))
            .to_http_request();
        assert_eq!(
            client_ip(&req, &[net("10.0.0.0", 8)]),
            Some("203.0.113.9".parse().unwrap())
        );
    }

    #[test]
    fn trusted_proxy_yields_right_most_untrusted_hop() {
        let req = TestRequest::default()
            .peer_addr("10.0.0.2:5000".parse().unwrap())
            .insert_header(("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.3"))
            .to_http_request();
        assert_eq!(
            client_ip(&req, &[net("10.0.0.0", 8)]),
            Some("198.51.100.7".parse().unwrap())
        );
    }

    #[test]
    fn cidr_matching() {
        assert!(net("10.0.0.0", 8).contains("10.200.1.1".parse().unwrap()));
        assert!(!net("10.0.0.0", 8).contains("11.0.0.1".parse().unwrap()));
        assert!(net("::1", 128).contains("::1".parse().unwrap()));
        assert!(net("127.0.0.1", 32).contains("::ffff:127.0.0.1".parse().unwrap()));
        assert!(net("0.0.0.0", 0).contains("8.8.8.8".parse().unwrap()));
    }
}
