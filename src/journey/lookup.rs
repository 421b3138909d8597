//! Step 3: the resolver asks the nearest DNS server. In the sandbox, the
//! stub's questions (A, then AAAA as getaddrinfo asks) go to the sandbox's
//! caching recursive server, whose walk behind each is shown; without it, the
//! stub asks the system's server and dns-lookup's trace from the root shows
//! what such a server does. An address literal skips the step.

use std::net::IpAddr;
use std::time::Duration;

use hickory_proto::rr::RecordType;
use http_get::Target;
use netlens_core::Ctx;

use super::render::{self, ResolveOut, Story};
use super::resolve::{self, Roots};
use super::sandbox::Sandbox;
use super::{Error, Trip, stub};

/// Step 3's title.
const RESOLVER_TITLE: &str = "The resolver asks the nearest DNS server";

/// Step 3: trace the name (or note why not), write its section and fill
/// `story.resolve`, failed traces included; returns the addresses.
pub(crate) fn resolve_step(
    trip: &Trip<'_>,
    ctx: &mut Ctx,
    target: &Target,
    story: &mut Story,
) -> Result<Vec<IpAddr>, Error> {
    if target.host_is_ip {
        return literal(ctx, target, story);
    }
    match &trip.sandbox {
        Some(sandbox) => sandbox_resolve(trip, ctx, target, sandbox, story),
        None => system_resolve(trip, ctx, target, story),
    }
}

/// Step 3 for an address literal: nothing to look up.
fn literal(ctx: &mut Ctx, target: &Target, story: &mut Story) -> Result<Vec<IpAddr>, Error> {
    let address: IpAddr = target.host.parse().map_err(|_| Error::NoAddress {
        name: target.host.clone(),
        why: dns_lookup::Negative::NoData,
    })?;
    let note = format!("{address} is an IP address: no DNS lookup");
    if !ctx.json() {
        render::heading(ctx, 3, "The name, resolved", "skipped")?;
        writeln!(ctx.out(), "{note}")?;
    }
    story.resolve = Some(ResolveOut {
        skipped: true,
        note,
        stub: None,
        recursive: None,
        again: None,
        traces: Vec::new(),
        addresses: vec![address],
    });
    Ok(vec![address])
}

/// Step 3 on the network: the stub's question to the system's DNS server
/// (or `--resolver`), then dns-lookup's trace of what such a server does.
fn system_resolve(
    trip: &Trip<'_>,
    ctx: &mut Ctx,
    target: &Target,
    story: &mut Story,
) -> Result<Vec<IpAddr>, Error> {
    let (args, runtime) = (trip.args, &trip.runtime);
    let human = !ctx.json();
    let server = match args.resolver {
        Some(server) => server,
        None => stub::system_server()?,
    };
    let name = dns_lookup::parse_name(&target.host)?;
    if human {
        render::heading(ctx, 3, RESOLVER_TITLE, "dns-lookup")?;
        ctx.out().flush()?;
    }
    // At most 2 × 4 s: without a network the journey ends within 10 s.
    let wait = args.timeout.min(Duration::from_secs(4));
    let asked = runtime.block_on(stub::ask(server, &name, RecordType::A, wait, 2));
    let stub = match asked {
        Ok((stub, _)) => stub,
        Err(error) => {
            if human {
                writeln!(
                    ctx.out(),
                    "the resolver (stub) -> DNS server {server}: no reply"
                )?;
            }
            return Err(error);
        }
    };
    let roots = Roots {
        hints: None,
        port: stub::DNS_PORT,
    };
    let note = "what such a server does behind the question, from the root hints built into \
                dns-lookup (IANA's named.cache)"
        .to_string();
    if human {
        render::stub(ctx, &stub, false)?;
        writeln!(ctx.out(), ";; {note}")?;
        ctx.out().flush()?;
    }
    let (traces, found) = runtime.block_on(resolve::resolve(&target.host, &roots, args.timeout));
    if human {
        render::traces(ctx, &traces)?;
    }
    story.resolve = Some(ResolveOut {
        skipped: false,
        note,
        stub: Some(stub),
        recursive: None,
        again: None,
        traces,
        addresses: found.as_deref().unwrap_or_default().to_vec(),
    });
    let addresses = found?;
    if human {
        render::addresses(ctx, &target.host, &addresses)?;
    }
    Ok(addresses)
}

/// Step 3 in the sandbox: the stub asks the sandbox's recursive server for
/// A and AAAA; its walk behind each question is shown.
fn sandbox_resolve(
    trip: &Trip<'_>,
    ctx: &mut Ctx,
    target: &Target,
    sandbox: &Sandbox,
    story: &mut Story,
) -> Result<Vec<IpAddr>, Error> {
    let (args, runtime) = (trip.args, &trip.runtime);
    let human = !ctx.json();
    if human {
        render::heading(ctx, 3, RESOLVER_TITLE, "dns-lookup")?;
        ctx.out().flush()?;
    }
    let (lookup, mut addresses, nxdomain) = sandbox_lookup(trip, sandbox, &target.host)?;
    if human {
        render::lookup(ctx, &lookup)?;
    }
    // getaddrinfo asks for IPv6 addresses too: the server's cache spares most of the walk.
    let name = dns_lookup::parse_name(&target.host)?;
    let server = sandbox.recursive.addr();
    let before = sandbox.recursive.walks().len();
    let (aaaa, reply) =
        runtime.block_on(stub::ask(server, &name, RecordType::AAAA, args.timeout, 2))?;
    let walk = recursive_out(&sandbox.recursive.walks()[before..]);
    addresses.extend(stub::StubOut::addresses(&reply));
    if human {
        render::lookup(
            ctx,
            &render::Lookup {
                stub: aaaa,
                recursive: walk,
            },
        )?;
    }
    story.resolve = Some(ResolveOut {
        skipped: false,
        note: format!(
            "the sandbox's caching recursive server {server}, resolving from the sandbox's root {}",
            sandbox.dns.socket(netlens_sandbox::dns::zones::ROOT)
        ),
        stub: Some(lookup.stub.clone()),
        recursive: Some(lookup.recursive.clone()),
        traces: Vec::new(),
        again: None,
        addresses: addresses.clone(),
    });
    if nxdomain || addresses.is_empty() {
        return Err(Error::NoAddress {
            name: name.to_ascii(),
            why: if nxdomain {
                dns_lookup::Negative::NxDomain
            } else {
                dns_lookup::Negative::NoData
            },
        });
    }
    if human {
        render::addresses(ctx, &target.host, &addresses)?;
    }
    Ok(addresses)
}

/// One A look-up through the sandbox's recursive server: the stub's view,
/// the server's walk, the addresses, and whether the name does not exist.
pub(crate) fn sandbox_lookup(
    trip: &Trip<'_>,
    sandbox: &Sandbox,
    host: &str,
) -> Result<(render::Lookup, Vec<IpAddr>, bool), Error> {
    let name = dns_lookup::parse_name(host)?;
    let before = sandbox.recursive.walks().len();
    let asked = stub::ask(
        sandbox.recursive.addr(),
        &name,
        RecordType::A,
        trip.args.timeout,
        2,
    );
    let (out, reply) = trip.runtime.block_on(asked)?;
    let recursive = recursive_out(&sandbox.recursive.walks()[before..]);
    let lookup = render::Lookup {
        stub: out,
        recursive,
    };
    Ok((
        lookup,
        stub::StubOut::addresses(&reply),
        stub::is_nxdomain(&reply),
    ))
}

/// The recursive server's walks as one account.
fn recursive_out(walks: &[netlens_sandbox::dns::recursive::Walk]) -> render::RecursiveOut {
    let steps: Vec<dns_lookup::Step> = walks.iter().flat_map(|w| w.steps.iter().cloned()).collect();
    render::RecursiveOut {
        cache_hits: steps
            .iter()
            .filter(|s| s.source == dns_lookup::Source::Cache)
            .count(),
        answered_from_cache: walks.iter().all(|w| w.from_cache) && !walks.is_empty(),
        steps,
    }
}
