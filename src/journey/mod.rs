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
//! Modules: [`args`], [`error`], [`message`] (steps 1, 2), `lookup`, [`stub`]
//! and [`resolve`] (3), [`place`] (4), [`fetch`] (5 to 7), [`page`] (7),
//! [`sandbox`], [`render`].

pub mod args;
pub mod error;
pub mod fetch;
mod lookup;
pub mod message;
pub mod page;
pub mod place;
pub mod render;
pub mod resolve;
pub mod sandbox;
pub mod stub;

use std::net::{IpAddr, SocketAddr};

use http_get::{HttpVersion, ResolveArg, Scheme, Settings, Target, Trust, Visit};
use netlens_core::{CommonArgs, Ctx, ExitCode, Failure, Tool};

pub use args::JourneyArgs;
pub use error::Error;

use fetch::{Connection, Response};
use render::{ConnectionOut, RequestOut, SandboxOut, Serves, Story};
use sandbox::Sandbox;

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

/// What the network steps share: the arguments, the runtime each step blocks
/// on, and the sandbox when there is one.
pub(crate) struct Trip<'a> {
    args: &'a JourneyArgs,
    runtime: tokio::runtime::Runtime,
    sandbox: Option<Sandbox>,
}

impl<'a> Trip<'a> {
    /// Start the sandbox (with `--sandbox`) and the runtime; say where the
    /// sandbox's servers listen.
    fn start(
        args: &'a JourneyArgs,
        ctx: &mut Ctx,
        target: &Target,
        story: &mut Story,
    ) -> Result<Trip<'a>, Error> {
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
        if !ctx.json()
            && let Some(out) = &story.sandbox
        {
            writeln!(
                ctx.out(),
                "\nsandbox: DNS hierarchy on 127.53.x.y port {} (root server {}), web server on {}",
                out.dns_port,
                out.root,
                out.web
            )?;
        }
        Ok(Trip {
            args,
            runtime,
            sandbox,
        })
    }

    /// http-get's settings for the page and what it embeds: connect to the
    /// sandbox or to the traced addresses, over HTTP/1.1.
    fn settings(&self, target: &Target, addresses: &[IpAddr]) -> Settings {
        let (overrides, trust) = match &self.sandbox {
            Some(s) => (vec![s.connect_to(&target.host, target.port)], s.trust()),
            None if target.host_is_ip => (Vec::new(), Trust::System),
            None => (direct(target, addresses), Trust::System),
        };
        let mut settings = Settings::new(trust);
        settings.overrides = overrides;
        settings.connect_timeout = self.args.timeout;
        // The chapter tells HTTP/1.1: its messages are text, byte for byte.
        settings.http = HttpVersion::Http1;
        settings
    }
}

/// Every step, in order; each fills its member of `story` and, without
/// `--json`, writes its section as soon as it is done.
fn walk(args: &JourneyArgs, ctx: &mut Ctx, story: &mut Story) -> Result<(), Error> {
    let request = describe(args, ctx, story)?;
    let target = &request.target;
    let trip = Trip::start(args, ctx, target, story)?;
    let addresses = lookup::resolve_step(&trip, ctx, target, story)?;
    let Some(&first) = addresses.first() else {
        // resolve_step never returns an empty list; say so rather than panic.
        return Err(Error::NoAddress {
            name: target.host.clone(),
            why: dns_lookup::Negative::NoData,
        });
    };
    let kind = place_step(ctx, first, story)?;
    let serves = trip.sandbox.as_ref().map(|s| Serves {
        address: first,
        from: s.web_addr().to_string(),
        kind,
    });
    let settings = trip.settings(target, &addresses);
    // The sandbox is offline: a proxy from the environment would take its
    // requests to the internet.
    let mut visit = Visit::new(true, !args.sandbox);
    let page = exchange_step(&trip, ctx, &request, &settings, &mut visit, serves, story)?;
    let resources = next_resources(&trip, ctx, (target, &page), &settings, &mut visit, story);
    let sockets = trip.runtime.block_on(visit.close(ctx));
    if let (Some(out), Some(socket)) = (
        &mut story.connection,
        sockets.iter().find(|s| s.id == page.socket.id),
    ) {
        out.connection.update(socket);
        if !ctx.json() {
            render::closed(ctx, &out.connection)?;
        }
    }
    resources
}

/// Steps 1 and 2: the URL decoded, and the request message a browser builds.
fn describe(
    args: &JourneyArgs,
    ctx: &mut Ctx,
    story: &mut Story,
) -> Result<message::Request, Error> {
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
    Ok(request)
}

/// Step 4: where the address sits; returns what kind of address it is.
fn place_step(ctx: &mut Ctx, address: IpAddr, story: &mut Story) -> Result<String, Error> {
    let placed = place::view(address);
    let kind = format!("{} address ({})", placed.info.kind, placed.info.special.rfc);
    if !ctx.json() {
        let title = format!("subnet-calc {address}/{}", placed.assumed_prefix);
        render::heading(ctx, 4, "Where the address sits", &title)?;
        render::place(ctx, &placed)?;
    }
    story.subnet = Some(placed);
    Ok(kind)
}

/// Steps 5 and 6: the connection through the socket library, the request
/// written and the response read; whether the connection stays open.
fn exchange_step(
    trip: &Trip<'_>,
    ctx: &mut Ctx,
    request: &message::Request,
    settings: &Settings,
    visit: &mut Visit,
    sandbox_serves: Option<Serves>,
    story: &mut Story,
) -> Result<http_get::Fetched, Error> {
    let human = !ctx.json();
    if human {
        let title = "The protocol stack, through the socket library";
        render::heading(ctx, 5, title, "http-get")?;
        // The sections so far stay on screen while the connection is made.
        ctx.out().flush()?;
    }
    let (target, timeout) = (&request.target, trip.args.timeout);
    let page = trip
        .runtime
        .block_on(visit.fetch(ctx, target, &request.spec, settings, timeout))?;
    let connection = ConnectionOut {
        sandbox_serves,
        connection: Connection::of(&page),
    };
    let response = Response::of(&page);
    if human {
        render::connection(ctx, &connection)?;
        writeln!(ctx.out(), "  {}", kept_or_closed(&page))?;
        pause(trip.args, ctx)?;
        render::heading(ctx, 6, "The response", "http-get -i")?;
        render::response(ctx, &response)?;
        pause(trip.args, ctx)?;
    }
    story.connection = Some(connection);
    story.response = Some(response);
    Ok(page)
}

/// Whether the page's connection stays open, and if not, why.
fn kept_or_closed(page: &http_get::Fetched) -> &'static str {
    let said_close = page.summary.headers.iter().any(|[name, value]| {
        name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close")
    });
    match (page.socket.closed_by, said_close) {
        (None, _) => "the connection stays open (keep-alive) for what the page asks next",
        (Some(_), true) => {
            "the connection is closed after the response: the server said Connection: close"
        }
        (Some(_), false) => "the connection is closed after the response",
    }
}

/// Step 7: fetch what the page embeds, with `Referer`, over the kept
/// connection when there is one; a second look-up of the host first.
fn next_resources(
    trip: &Trip<'_>,
    ctx: &mut Ctx,
    (target, page): (&Target, &http_get::Fetched),
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
    if let (Some(s), Some(link)) = (&trip.sandbox, links.first()) {
        let host = Target::parse(link, None)?.host;
        let again = lookup::sandbox_lookup(trip, s, &host)?;
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
        if trip.sandbox.is_some() && resource.host != target.host {
            if human {
                writeln!(
                    ctx.out(),
                    "{link}: not fetched, another host: the sandbox never leaves the machine"
                )?;
            }
            continue;
        }
        let spec = message::browser(&resource).with_header("Referer", &referer);
        let asked = visit.fetch(ctx, &resource, &spec, settings, trip.args.timeout);
        let fetched = trip.runtime.block_on(asked)?;
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
