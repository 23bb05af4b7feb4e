//! Who is on the other end: the client's IP address, as per-IP limits, logs and the admin
//! status see it.
//!
//! It is the TCP peer's address, except when that peer is a reverse proxy named by
//! `--trusted-proxy`: then `X-Forwarded-For` is read from the right, skipping trusted proxies,
//! and the first address that is not one of them is the client. A header from anyone else is
//! ignored, so a client cannot choose its own address (and dodge its per-IP limit) by sending
//! the header itself.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use super::state::AppState;

/// The client's address, in every request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClientAddr {
    pub(crate) ip: IpAddr,
    /// The TCP peer (the proxy, when there is one).
    pub(crate) peer: Option<SocketAddr>,
}

impl ClientAddr {
    /// `203.0.113.7` for a direct client; `203.0.113.7 via 10.0.0.2:51234` behind a proxy.
    pub(crate) fn describe(&self) -> String {
        match self.peer {
            Some(peer) if peer.ip().to_canonical() == self.ip => peer.to_string(),
            Some(peer) => format!("{} via {peer}", self.ip),
            None => self.ip.to_string(),
        }
    }
}

/// Middleware: works out [`ClientAddr`] once for every request.
pub(crate) async fn client_address(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let peer_ip = peer.map_or(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED), |p| p.ip());
    let ip = client_ip(peer_ip, request.headers(), &state.settings.trusted_proxies);
    request.extensions_mut().insert(ClientAddr { ip, peer });
    next.run(request).await
}

/// The client's IP: `peer`, or what trusted proxies report in `X-Forwarded-For`.
pub(crate) fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(&ip));
    let mut client = peer.to_canonical();
    if !is_trusted(client) {
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            // Garbage in the chain: believe nothing left of it.
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

/// `203.0.113.7`, `2001:db8::1`, `[2001:db8::1]:443` or `203.0.113.7:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    hop.parse::<SocketAddr>()
        .ok()
        .map(|s| s.ip().to_canonical())
}

/// A `--trusted-proxy` value: a CIDR (`10.0.0.0/8`) or one address (`127.0.0.1`).
pub fn parse_trusted_proxy(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    text.parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|_| format!("{text:?} is neither an IP address nor a CIDR like 10.0.0.0/8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter()
            .filter_map(|n| parse_trusted_proxy(n).ok())
            .collect()
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            if let Ok(value) = v.parse() {
                h.append("x-forwarded-for", value);
            }
        }
        h
    }

    fn ip(text: &str) -> IpAddr {
        text.parse()
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = nets(&["10.0.0.0/8", "127.0.0.1"]);
        let header = xff(&["198.51.100.9"]);
        assert_eq!(
            client_ip(ip("203.0.113.7"), &header, &trusted),
            ip("203.0.113.7"),
            "an untrusted peer cannot choose its address"
        );
        assert_eq!(
            client_ip(ip("10.1.2.3"), &header, &trusted),
            ip("198.51.100.9")
        );
        assert_eq!(
            client_ip(ip("10.1.2.3"), &HeaderMap::new(), &[]),
            ip("10.1.2.3"),
            "no trusted proxies: the peer"
        );
    }

    #[test]
    fn the_chain_is_read_from_the_right_and_a_spoofed_left_part_is_ignored() {
        let trusted = nets(&["10.0.0.0/8"]);
        // The client sent "1.1.1.1" itself; the proxy appended the real address.
        let header = xff(&["1.1.1.1, 203.0.113.7, 10.0.0.5"]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &header, &trusted),
            ip("203.0.113.7")
        );
        let two_headers = xff(&["1.1.1.1", "203.0.113.7"]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &two_headers, &trusted),
            ip("203.0.113.7")
        );
        let garbage = xff(&["203.0.113.7, not-an-ip"]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &garbage, &trusted),
            ip("10.0.0.2"),
            "garbage: believe nothing left of it"
        );
        let mapped = xff(&["[2001:db8::1]:443"]);
        assert_eq!(
            client_ip(ip("::ffff:10.0.0.2"), &mapped, &trusted),
            ip("2001:db8::1"),
            "an IPv4-mapped peer matches its IPv4 network; ports are dropped"
        );
    }

    #[test]
    fn trusted_proxies_are_cidrs_or_single_addresses() {
        assert_eq!(
            parse_trusted_proxy("127.0.0.1").map(|n| n.to_string()),
            Ok("127.0.0.1/32".into())
        );
        assert_eq!(
            parse_trusted_proxy("10.1.2.3/8").map(|n| n.to_string()),
            Ok("10.0.0.0/8".into())
        );
        assert!(parse_trusted_proxy("10.0.0.0/33").is_err());
        assert!(parse_trusted_proxy("caddy").is_err());
    }
}
