//! Server selection: the run's round-trip times, the order servers are asked
//! in, how long a silent one is waited for before the next is asked, and the
//! address families the host cannot reach.
//!
//! Servers never heard from come first, in random order (so load spreads and
//! every server gets measured); then the others by smoothed RTT. A server is
//! given about 3× its RTT (at least 100 ms, at most the timeout) before the
//! next one is asked alongside it; one that stayed silent or could not be
//! reached is ranked as slow as the timeout, so it goes last afterwards.
//!
//! See: RFC 1035 §7.2 (send to the best server first, keep the RTTs),
//! RFC 6298 (smoothed RTT), RFC 8305 §5 (staggered attempts).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use rand::seq::SliceRandom;

use crate::cache::ServerRef;

/// The shortest wait before a silent server's successor is asked.
const MIN_WAIT: Duration = Duration::from_millis(100);

/// The RTT assumed for a server never heard from, to size its wait.
const UNKNOWN_RTT: Duration = Duration::from_millis(40);

/// The weight of a new RTT sample in the smoothed RTT (RFC 6298: 1/8).
const SAMPLE_WEIGHT: f64 = 0.125;

/// What the run knows of the servers it asked.
#[derive(Default, Debug)]
pub(crate) struct ServerStats {
    rtt: HashMap<SocketAddr, Duration>,
    no_route: Vec<bool>,
}

impl ServerStats {
    /// A reply came from `server` after `elapsed`.
    pub fn replied(&mut self, server: SocketAddr, elapsed: Duration) {
        let smoothed = match self.rtt.get(&server) {
            Some(old) => old.mul_f64(1.0 - SAMPLE_WEIGHT) + elapsed.mul_f64(SAMPLE_WEIGHT),
            None => elapsed,
        };
        self.rtt.insert(server, smoothed);
    }

    /// `server` gave no reply (silent, unreachable): rank it as slow as `penalty`.
    pub fn failed(&mut self, server: SocketAddr, penalty: Duration) {
        let rtt = self.rtt.entry(server).or_default();
        *rtt = (*rtt).max(penalty);
    }

    /// The host has no route to `addr`'s family: skip it for the run.
    pub fn no_route(&mut self, addr: IpAddr) {
        let family = family(addr);
        if self.no_route.len() <= family {
            self.no_route.resize(family + 1, false);
        }
        self.no_route[family] = true;
    }

    /// Whether `addr`'s family is known to be unreachable.
    pub fn routable(&self, addr: IpAddr) -> bool {
        !self.no_route.get(family(addr)).copied().unwrap_or(false)
    }

    /// `servers` in the order to ask them: unknown ones first at random, then
    /// by smoothed RTT; those of unreachable families left out.
    pub fn order(&self, mut servers: Vec<ServerRef>) -> Vec<ServerRef> {
        servers.retain(|s| self.routable(s.addr.ip()));
        servers.shuffle(&mut rand::rng());
        // A stable sort keeps the shuffled order among the unknown servers.
        servers.sort_by_key(|s| self.rtt.get(&s.addr).copied());
        servers
    }

    /// How long `server` is waited for before the next one is asked too:
    /// 3× its RTT, at least 100 ms, at most `timeout`.
    pub fn wait(&self, server: SocketAddr, timeout: Duration) -> Duration {
        let rtt = self.rtt.get(&server).copied().unwrap_or(UNKNOWN_RTT);
        (rtt * 3).max(MIN_WAIT).min(timeout)
    }
}

fn family(addr: IpAddr) -> usize {
    usize::from(addr.is_ipv6())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(addr: &str) -> ServerRef {
        ServerRef {
            name: None,
            addr: addr.parse().unwrap(),
        }
    }

    #[test]
    fn unknown_first_then_by_rtt() {
        let mut stats = ServerStats::default();
        stats.replied("127.0.0.2:53".parse().unwrap(), Duration::from_millis(30));
        stats.replied("127.0.0.3:53".parse().unwrap(), Duration::from_millis(10));
        stats.failed("127.0.0.4:53".parse().unwrap(), Duration::from_secs(2));
        let all = [
            "127.0.0.4:53",
            "127.0.0.2:53",
            "127.0.0.1:53",
            "127.0.0.3:53",
        ];
        let order = stats.order(all.iter().map(|a| server(a)).collect());
        let addrs: Vec<String> = order.iter().map(|s| s.addr.to_string()).collect();
        assert_eq!(
            addrs,
            [
                "127.0.0.1:53",
                "127.0.0.3:53",
                "127.0.0.2:53",
                "127.0.0.4:53"
            ]
        );
    }

    #[test]
    fn rtt_is_smoothed_and_waits_are_bounded() {
        let mut stats = ServerStats::default();
        let a: SocketAddr = "127.0.0.1:53".parse().unwrap();
        let timeout = Duration::from_secs(2);
        assert_eq!(stats.wait(a, timeout), Duration::from_millis(120));
        stats.replied(a, Duration::from_millis(1));
        assert_eq!(stats.wait(a, timeout), MIN_WAIT);
        stats.replied(a, Duration::from_millis(401));
        assert_eq!(stats.rtt[&a], Duration::from_millis(51));
        assert_eq!(stats.wait(a, timeout), Duration::from_millis(153));
        stats.failed(a, Duration::from_secs(5));
        assert_eq!(stats.wait(a, timeout), timeout);
    }

    #[test]
    fn unroutable_families_are_left_out() {
        let mut stats = ServerStats::default();
        stats.no_route("2001:db8::1".parse().unwrap());
        assert!(!stats.routable("2001:db8::2".parse().unwrap()));
        assert!(stats.routable("127.0.0.1".parse().unwrap()));
        let order = stats.order(vec![server("[2001:db8::1]:53"), server("127.0.0.1:53")]);
        assert_eq!(order.len(), 1);
        assert!(order[0].addr.is_ipv4());
    }
}
