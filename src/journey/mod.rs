//! `netlens journey URL`: one request followed out of a browser, step by
//! step, each step done by the library of the tool that does it alone:
//!
//! 1. the URL decoded (url-parse);
//! 2. the request message built (http-get, as `--offline` prints it);
//! 3. the name resolved iteratively from the root, every referral and cache
//!    hit shown (dns-lookup's tracer), or skipped for an address literal;
//! 4. where the address sits: network number and host number (subnet-calc);
//! 5. socket, connect, write, read, close, timed (http-get's exchange);
//! 6. the response: status line, headers, body size.
//!
//! `--sandbox` does it all offline against crates/sandbox. Steps 3 and 5 run
//! on one current-thread tokio runtime built here, one `block_on` each; the
//! sandbox's servers run on threads of their own.
//!
//! Modules: [`args`], [`error`], [`message`] (steps 1, 2), [`resolve`] (3),
//! [`place`] (4), [`fetch`] (5, 6), [`sandbox`], [`render`].

pub mod args;
pub mod error;
pub mod fetch;
pub mod message;
pub mod place;
pub mod render;
pub mod resolve;
pub mod sandbox;

use std::net::{IpAddr, SocketAddr};

use http_get::{HttpVersion, ResolveArg, Scheme, Settings, Target, Trust};
use netlens_core::{CommonArgs, Ctx, ExitCode, Failure, Tool};

pub use args::JourneyArgs;
pub use error::Error;

use render::{ConnectionOut, RequestOut, ResolveOut, SandboxOut, Serves, Story};
use resolve::Roots;
use sandbox::Sandbox;

/// The DNS port on the internet. See: RFC 1035 §4.2
const DNS_PORT: u16 = 53;

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
    let request_line = request_out.request_line.clone();
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
        render::heading(ctx, 5, "Socket, connect, write, read, close", "http-get")?;
        // The sections so far stay on screen while the connection is made.
        ctx.out().flush()?;
    }
    let fetched = runtime.block_on(fetch::fetch(
        ctx,
        target,
        &request.spec,
        &settings,
        args.timeout,
    ))?;
    let (connection, response) = fetched;
    let connection = ConnectionOut {
        sandbox_serves: sandbox.as_ref().map(|s| Serves {
            address: first,
            from: s.web_addr().to_string(),
            kind,
        }),
        connection,
    };
    if human {
        render::connection(ctx, &connection, &request_line)?;
        render::heading(ctx, 6, "The response", "http-get -i")?;
        render::response(ctx, &response)?;
    }
    story.connection = Some(connection);
    story.response = Some(response);
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
            traces: Vec::new(),
            addresses: vec![address],
        });
        return Ok(vec![address]);
    }
    let (roots, note) = match sandbox {
        Some(s) => (
            Roots {
                hints: Some(s.dns.root_hints()),
                port: s.dns.port(),
            },
            format!(
                "from the sandbox's root hints ({}), every server on port {}",
                s.dns.socket(netlens_sandbox::dns::zones::ROOT).ip(),
                s.dns.port()
            ),
        ),
        None => (
            Roots {
                hints: None,
                port: DNS_PORT,
            },
            "from the root hints built into dns-lookup (IANA's named.cache)".to_string(),
        ),
    };
    if human {
        let title = "The name, resolved from the root";
        render::heading(ctx, 3, title, "dns-lookup --trace")?;
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
        traces,
        addresses: found.as_deref().unwrap_or_default().to_vec(),
    });
    let addresses = found?;
    if human {
        let list: Vec<String> = addresses.iter().map(IpAddr::to_string).collect();
        writeln!(
            ctx.out(),
            "addresses of {}: {}",
            target.host,
            list.join(", ")
        )?;
    }
    Ok(addresses)
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
