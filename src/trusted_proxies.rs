//! Which address a request comes from, for throttling. Behind a reverse
//! proxy every request arrives from the proxy, so the proxy's
//! `X-Forwarded-For` names the client; but anyone can send that header, so
//! it is believed only from peers listed in `BIMTEK_TRUSTED_PROXIES`.

use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed (CIDR blocks or single addresses).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl FromStr for TrustedProxies {
    type Err = String;

    /// `10.0.0.0/8, 192.168.1.5, ::1`: commas or spaces between entries.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut nets = Vec::new();
        for entry in text.split([',', ' ']).filter(|e| !e.is_empty()) {
            let net = match entry.parse::<IpNet>() {
                Ok(net) => net,
                Err(_) => entry.parse::<IpAddr>().map(IpNet::from).map_err(|_| {
                    format!("'{entry}' bukan alamat IP atau blok CIDR (contoh: 10.0.0.0/8)")
                })?,
            };
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }
}

impl TrustedProxies {
    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client behind `peer`: `peer` itself unless it is trusted; then
    /// the `X-Forwarded-For` hops are read from the right (the hop our own
    /// proxy added) past every trusted proxy, and the first untrusted
    /// address is the client. A hop that is not an address ends the walk
    /// at the last proxy that was trusted.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        let hops = forwarded_for
            .iter()
            .rev()
            .flat_map(|header| header.rsplit(','))
            .map(str::trim);
        for hop in hops {
            let Ok(address) = hop.parse::<IpAddr>() else {
                break;
            };
            client = address.to_canonical();
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn parses_cidrs_and_addresses_and_names_a_bad_entry() {
        let proxies: TrustedProxies = "10.0.0.0/8, 192.168.1.5 ::1".parse().unwrap();
        assert!(proxies.trusts(ip("10.2.3.4")));
        assert!(proxies.trusts(ip("192.168.1.5")));
        assert!(!proxies.trusts(ip("192.168.1.6")));
        assert!(proxies.trusts(ip("::1")));
        assert_eq!("".parse::<TrustedProxies>(), Ok(TrustedProxies::default()));
        assert!(
            "10.0.0.0/8,proxy"
                .parse::<TrustedProxies>()
                .unwrap_err()
                .contains("'proxy'")
        );
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("203.0.113.9"), &["1.2.3.4"]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        let proxies: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        assert_eq!(
            proxies.client(ip("10.0.0.2"), &["203.0.113.9"]),
            ip("203.0.113.9")
        );
        // The client may prepend lies; only the hops our proxies added count.
        assert_eq!(
            proxies.client(ip("10.0.0.2"), &["6.6.6.6, 203.0.113.9, 10.0.0.7"]),
            ip("203.0.113.9")
        );
        assert_eq!(
            proxies.client(ip("10.0.0.2"), &["6.6.6.6", "203.0.113.9"]),
            ip("203.0.113.9"),
            "several headers read as one list"
        );
        assert_eq!(
            proxies.client(ip("10.0.0.2"), &["garbage, 10.0.0.7"]),
            ip("10.0.0.7"),
            "a hop that is not an address stops at the last proxy"
        );
        assert_eq!(proxies.client(ip("10.0.0.2"), &[]), ip("10.0.0.2"));
        assert_eq!(
            proxies.client(ip("::ffff:10.0.0.2"), &["203.0.113.9"]),
            ip("203.0.113.9"),
            "an IPv4-mapped peer is the IPv4 address"
        );
    }
}
