//! `netlens journey URL`: one request followed out of a browser, step by
//! step, as the textbook's chapter tells it, each step done by the library of
//! the tool that does it alone:
//!
//! 1. the URL decoded (url-parse);
//! 2. the request message a browser builds (http-get's request, a browser's
//!    headers);
//! 3. the resolver: the stub's one recursive question to the nearest DNS
//!    server ([`stub`]), and the walk that server made behind it — the
//!    sandbox's caching recursive server logs it; without the sandbox,
//!    dns-lookup's trace from the root shows what such a server does
//!    ([`resolve`]); skipped for an address literal;
//! 4. where the address sits: network number and host number (subnet-calc);
//! 5. the protocol stack through the socket library: the descriptor, connect
//!    from the ephemeral port, each write and read, timed (http-get's
//!    [`http_get::Visit`]);
//! 6. the response, its status class explained;
//! 7. what the page asks for next ([`page`]), fetched with `Referer` over the
//!    kept connection, after a second look-up answered from the DNS server's
//!    cache; then close, and who closed first.
//!
//! `--sandbox` does it all offline against crates/sandbox. The network steps
//! run on one current-thread tokio runtime built here, one `block_on` each;
//! the sandbox's servers run on threads of their own.
//!
//! Modules: [`args`], [`error`], [`message`] (steps 1, 2), [`stub`] and
//! [`resolve`] (3), [`place`] (4), [`fetch`] (5 to 7), [`page`] (7),
//! [`sandbox`], [`render`].

pub mod args;
pub mod error;
pub mod fetch;
pub mod message;
pub mod page;
pub mod place;
pub mod render;
pub mod resolve;
pub mod sandbox;
pub mod stub;

use std::net::{IpAddr, SocketAddr};

use std::time::Duration;

use hickory_proto::rr::RecordType;
use http_get::{HttpVersion, ResolveArg, Scheme, Settings, Target, Trust, Visit};
use netlens_core::{CommonArgs, Ctx, ExitCode, Failure, Tool};

pub use args::JourneyArgs;
pub use error::Error;

use fetch::{Connection, Response};
use render::{ConnectionOut, RequestOut, ResolveOut, SandboxOut, Serves, Story};
use resolve::Roots;
use sandbox::Sandbox;

/// Step 3's title.
const RESOLVER_TITLE: &str = "The resolver asks the nearest DNS server";

/// `netlens journey`, for [`netlens_core::execute`].
pub struct Journey;

impl Tool for Journey {
    const NAME: &'static str = "journey";
    type Args = JourneyArgs;
    type Error = Error;

    fn common(args: &JourneyArgs) -> &CommonArgs {
        &args.common
    }

    fn run(args: JourneyArgs, ctx: &mut Ctx) -> Result<ExitCode, Error> {
        run(args, ctx)
    }
}

/// Follow the URL of `args`, narrating each step (or, with `--json`, one
/// object with a member per step); returns the exit code of the step that
/// ended the journey.
pub fn run(args: JourneyArgs, ctx: &mut Ctx) -> Result<ExitCode, Error> {
    let mut story = Story {
        input: netlens_core::redact::mask_url_password(&args.url).into_owned(),
        ..Story::default()
    };
    let result = walk(&args, ctx, &mut story);
    match result {
        Ok(()) => {
            if ctx.json() {
                ctx.emit_json(&story)?;
            }
            Ok(ExitCode::Success)
        }
        Err(error) if ctx.json() && !ctx.output_closed() => {
            story.fail(&error);
            ctx.emit_json(&story)?;
            ctx.error_line(&error);
            Ok(error.exit_code())
        }
        Err(error) => {
            // The narration so far first, then why it ends (when both go to a terminal).
            ctx.out().flush()?;
            Err(error)
        }
    }
}

/// Every step, in order; each fills its member of `story` and, without
/// `--json`, writes its section as soon as it is done.
fn walk(args: &JourneyArgs, ctx: &mut Ctx, story: &mut Story) -> Result<(), Error> {
    let human = !ctx.json();
    let (url, reading) = message::decode(&args.url, ctx.color())?;
    story.url = Some(url);
    if human {
        writeln!(ctx.out(), "netlens journey {}", story.input)?;
        render::heading(ctx, 1, "The URL, decoded", "url-parse")?;
        ctx.out().write_all(reading.as_bytes())?;
    }

    let request = message::build(&args.url)?;
    let request_out = RequestOut::of(&request.message, &request.head_lines);
    if human {
        render::heading(ctx, 2, "The request message, built", "http-get --offline")?;
        render::request(ctx, &request.message, &request.head_lines)?;
    }
    story.request = Some(request_out);
    let target = &request.target;

    let sandbox = if args.sandbox {
        let https = target.scheme == Scheme::Https;
        Some(Sandbox::start(&target.host, https).map_err(Error::Sandbox)?)
    } else {
        None
    };
    story.sandbox = sandbox.as_ref().map(|s| SandboxOut {
        dns_port: s.dns.port(),
        root: s.dns.socket(netlens_sandbox::dns::zones::ROOT).to_string(),
        web: s.web_addr().to_string(),
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    if human && let Some(out) = &story.sandbox {
        writeln!(
            ctx.out(),
            "\nsandbox: DNS hierarchy on 127.53.x.y port {} (root server {}), web server on {}",
            out.dns_port,
            out.root,
            out.web
        )?;
    }
    let addresses = resolve_step(args, ctx, target, sandbox.as_ref(), &runtime, story)?;
    let Some(&first) = addresses.first() else {
        // resolve_step never returns an empty list; say so rather than panic.
        return Err(Error::NoAddress {
            name: target.host.clone(),
            why: dns_lookup::Negative::NoData,
        });
    };

    let placed = place::view(first);
    let kind = format!("{} address ({})", placed.info.kind, placed.info.special.rfc);
    if human {
        let title = format!("subnet-calc {first}/{}", placed.assumed_prefix);
        render::heading(ctx, 4, "Where the address sits", &title)?;
        render::place(ctx, &placed)?;
    }
    story.subnet = Some(placed);

    let (overrides, trust) = match &sandbox {
        Some(s) => (vec![s.connect_to(&target.host, target.port)], s.trust()),
        None if target.host_is_ip => (Vec::new(), Trust::System),
        None => (direct(target, &addresses), Trust::System),
    };
    let mut settings = Settings::new(trust);
    settings.overrides = overrides;
    settings.connect_timeout = args.timeout;
    // The chapter tells HTTP/1.1: its messages are text, byte for byte.
    settings.http = HttpVersion::Http1;
    if human {
        render::heading(
            ctx,
            5,
            "The protocol stack, through the socket library",
            "http-get",
        )?;
        // The sections so far stay on screen while the connection is made.
        ctx.out().flush()?;
    }
    // The sandbox is offline: a proxy from the environment would take its
    // requests to the internet.
    let mut visit = Visit::new(true, !args.sandbox);
    let page =
        runtime.block_on(visit.fetch(ctx, target, &request.spec, &settings, args.timeout))?;
    let connection = ConnectionOut {
        sandbox_serves: sandbox.as_ref().map(|s| Serves {
            address: first,
            from: s.web_addr().to_string(),
            kind,
        }),
        connection: Connection::of(&page),
    };
    let response = Response::of(&page);
    if human {
        render::connection(ctx, &connection)?;
        let said_close = page.summary.headers.iter().any(|[name, value]| {
            name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close")
        });
        let kept = match (page.socket.closed_by, said_close) {
            (None, _) => "the connection stays open (keep-alive) for what the page asks next",
            (Some(_), true) => {
                "the connection is closed after the response: the server said Connection: close"
            }
            (Some(_), false) => "the connection is closed after the response",
        };
        writeln!(ctx.out(), "  {kept}")?;
        pause(args, ctx)?;
        render::heading(ctx, 6, "The response", "http-get -i")?;
        render::response(ctx, &response)?;
        pause(args, ctx)?;
    }
    story.connection = Some(connection);
    story.response = Some(response);
    let resources = next_resources(
        args,
        ctx,
        (target, &page),
        sandbox.as_ref(),
        &runtime,
        &settings,
        &mut visit,
        story,
    );
    let sockets = runtime.block_on(visit.close(ctx));
    if let (Some(out), Some(socket)) = (
        &mut story.connection,
        sockets.iter().find(|s| s.id == page.socket.id),
    ) {
        out.connection.update(socket);
        if human {
            render::closed(ctx, &out.connection)?;
        }
    }
    resources
}

/// Step 7: fetch what the page embeds, with `Referer`, over the kept
/// connection when there is one; a second look-up of the host first.
#[allow(clippy::too_many_arguments)]
fn next_resources(
    args: &JourneyArgs,
    ctx: &mut Ctx,
    (target, page): (&Target, &http_get::Fetched),
    sandbox: Option<&Sandbox>,
    runtime: &tokio::runtime::Runtime,
    settings: &Settings,
    visit: &mut Visit,
    story: &mut Story,
) -> Result<(), Error> {
    let human = !ctx.json();
    let referer = target.display();
    let html = page
        .body
        .as_deref()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    let is_html = page
        .summary
        .content_type
        .as_deref()
        .is_some_and(|t| t.contains("html"));
    let links = if is_html {
        page::resources(&html, &referer)
    } else {
        Vec::new()
    };
    if human {
        render::heading(
            ctx,
            7,
            "What the page asks for next",
            "http-get, with Referer",
        )?;
        if links.is_empty() {
            writeln!(ctx.out(), "the page embeds no <img>, stylesheet or script")?;
        }
    }
    story.resources = Some(Vec::new());
    if let (Some(s), Some(link)) = (sandbox, links.first()) {
        let host = Target::parse(link, None)?.host;
        let again = sandbox_lookup(s, &host, args, runtime)?;
        if human {
            writeln!(
                ctx.out(),
                "a second look-up, for {host}: the resolver asks the DNS server again"
            )?;
            render::lookup(ctx, &again.0)?;
        }
        if let Some(resolve) = &mut story.resolve {
            resolve.again = Some(again.0);
        }
    }
    for link in links {
        let resource = Target::parse(&link, None)?;
        if sandbox.is_some() && resource.host != target.host {
            if human {
                writeln!(
                    ctx.out(),
                    "{link}: not fetched, another host: the sandbox never leaves the machine"
                )?;
            }
            continue;
        }
        let spec = message::browser(&resource).with_header("Referer", &referer);
        let fetched =
            runtime.block_on(visit.fetch(ctx, &resource, &spec, settings, args.timeout))?;
        let out = fetch::Resource::of(link, &referer, &fetched);
        if human {
            render::resource(ctx, &out)?;
        }
        if let Some(list) = &mut story.resources {
            list.push(out);
        }
    }
    Ok(())
}

/// `--step`: on a terminal, wait for Enter (at most 10 minutes) before the next step.
fn pause(args: &JourneyArgs, ctx: &mut Ctx) -> Result<(), Error> {
    use std::io::IsTerminal;
    if !args.step || !std::io::stdin().is_terminal() {
        return Ok(());
    }
    write!(ctx.out(), "[Enter: next step]")?;
    ctx.out().flush()?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        let _ = tx.send(());
    });
    let _ = rx.recv_timeout(std::time::Duration::from_secs(600));
    Ok(())
}

/// Step 3: trace the name (or note why not), write its section and fill
/// `story.resolve`, failed traces included; returns the addresses.
fn resolve_step(
    args: &JourneyArgs,
    ctx: &mut Ctx,
    target: &Target,
    sandbox: Option<&Sandbox>,
    runtime: &tokio::runtime::Runtime,
    story: &mut Story,
) -> Result<Vec<IpAddr>, Error> {
    let human = !ctx.json();
    if target.host_is_ip {
        let address: IpAddr = target.host.parse().map_err(|_| Error::NoAddress {
            name: target.host.clone(),
            why: dns_lookup::Negative::NoData,
        })?;
        let note = format!("{address} is an IP address: no DNS lookup");
        if human {
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
        return Ok(vec![address]);
    }
    if let Some(s) = sandbox {
        return sandbox_resolve(args, ctx, target, s, runtime, story);
    }
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
    args: &JourneyArgs,
    ctx: &mut Ctx,
    target: &Target,
    sandbox: &Sandbox,
    runtime: &tokio::runtime::Runtime,
    story: &mut Story,
) -> Result<Vec<IpAddr>, Error> {
    let human = !ctx.json();
    if human {
        render::heading(ctx, 3, RESOLVER_TITLE, "dns-lookup")?;
        ctx.out().flush()?;
    }
    let (lookup, mut addresses, nxdomain) = sandbox_lookup(sandbox, &target.host, args, runtime)?;
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
fn sandbox_lookup(
    sandbox: &Sandbox,
    host: &str,
    args: &JourneyArgs,
    runtime: &tokio::runtime::Runtime,
) -> Result<(render::Lookup, Vec<IpAddr>, bool), Error> {
    let name = dns_lookup::parse_name(host)?;
    let before = sandbox.recursive.walks().len();
    let asked = stub::ask(
        sandbox.recursive.addr(),
        &name,
        RecordType::A,
        args.timeout,
        2,
    );
    let (out, reply) = runtime.block_on(asked)?;
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

/// The traced addresses as http-get overrides: connect to them, not to what
/// the system resolver would say.
fn direct(target: &Target, addresses: &[IpAddr]) -> Vec<ResolveArg> {
    addresses
        .iter()
        .map(|&ip| {
            ResolveArg::connect_to(&target.host, target.port, SocketAddr::new(ip, target.port))
        })
        .collect()
}
