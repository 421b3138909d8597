//! The command line of subnet-calc: info mode by default (positional inputs),
//! or one of the subcommands `split`, `contains`, `aggregate`, `range`,
//! `exclude`, `reverse`, `common`, `diff`, `free` and `list`.

use clap::{Parser, Subcommand};
use netlens_core::{CommonArgs, EXIT_CODES_HELP};

/// Network, broadcast, host range and netmask math for IPv4 and IPv6; split,
/// contains, aggregate, range, exclude, reverse zones, set comparisons, free
/// blocks and address lists.
///
/// With no subcommand, describes each ADDRESS[/PREFIX | /NETMASK] [NETMASK]
/// given (or one per line on stdin). Wherever a network is taken, a range
/// `A-B` (or `A - B`) is taken too.
//
// Not `args_conflicts_with_subcommands`: that would also make `--json
// aggregate` an input named "aggregate". clap already stops looking for a
// subcommand once a positional input has been seen.
#[derive(Parser, Debug, Clone, PartialEq, Eq)]
#[command(
    name = "subnet-calc",
    version,
    about,
    after_help = EXIT_CODES_HELP
)]
pub struct Args {
    /// Addresses to describe: 10.11.12.13/24, 10.11.12.13/255.255.255.0,
    /// 10.11.12.13 255.255.255.0, 2001:db8::1/64, or a bare address;
    /// `-` or nothing reads one per line from stdin
    #[arg(value_name = "ADDRESS")]
    pub inputs: Vec<String>,

    /// What to do instead of describing addresses
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,
}

/// The subcommands.
#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Split a network into subnets: of one prefix length, a number of equal
    /// parts, or sized for host counts (VLSM, largest first)
    Split(SplitArgs),
    /// Check that addresses or networks lie inside NETWORK (exit 0 if all do, else 1)
    Contains {
        /// The network to check against
        network: String,
        /// Addresses or networks to check; `-` or nothing reads stdin
        #[arg(value_name = "ADDRESS|NETWORK")]
        inputs: Vec<String>,
    },
    /// The minimal list of networks covering exactly the union of the inputs
    /// (IPv4 and IPv6 together, kept apart)
    Aggregate {
        /// Networks, ranges or addresses; `@FILE` for a file's lines; `-` or
        /// nothing reads one per line from stdin
        #[arg(value_name = "NETWORK")]
        inputs: Vec<String>,
        #[command(flatten)]
        #[allow(missing_docs)]
        format: FormatArg,
    },
    /// The minimal list of networks covering exactly START..END
    Range {
        /// The first address
        start: String,
        /// The last address
        end: String,
        #[command(flatten)]
        #[allow(missing_docs)]
        format: FormatArg,
    },
    /// NETWORK minus each EXCLUDED network, as the minimal list of networks
    Exclude {
        /// The network to take from
        network: String,
        /// The networks, ranges or addresses to take away
        #[arg(required = true, value_name = "EXCLUDED")]
        excluded: Vec<String>,
        #[command(flatten)]
        #[allow(missing_docs)]
        format: FormatArg,
    },
    /// The DNS zones for reverse look-ups of each network: in-addr.arpa (RFC
    /// 2317 classless form below /24) and nibble ip6.arpa zones
    Reverse {
        /// Networks or ranges
        #[arg(required = true, value_name = "NETWORK")]
        inputs: Vec<String>,
    },
    /// The addresses in both lists (intersection), as networks
    Common(TwoLists),
    /// The addresses in exactly one of the lists (symmetric difference), as
    /// networks; exit 1 when the lists differ
    Diff(TwoLists),
    /// The first free blocks of one size inside SUPERNET, in address order;
    /// exit 1 when fewer than asked are free
    Free(FreeArgs),
    /// Every address of each network or range, one per line (as prips)
    List {
        /// Networks or ranges
        #[arg(required = true, value_name = "NETWORK")]
        inputs: Vec<String>,
        /// Print at most the first N addresses of each; needed above 65,536
        #[arg(long, value_name = "N")]
        limit: Option<u128>,
    },
}

/// `common A... -- B...` and `diff A... -- B...`
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
pub struct TwoLists {
    /// The first list: networks, ranges, `@FILE` (one per line) or `-` (stdin)
    #[arg(required = true, value_name = "A")]
    pub a: Vec<String>,
    /// The second list, after `--`
    #[arg(last = true, required = true, value_name = "B")]
    pub b: Vec<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArg,
}

/// `free SUPERNET --used CIDR... --prefix N [--count K]`
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
pub struct FreeArgs {
    /// The network to find free blocks in
    pub supernet: String,
    /// Networks or ranges in use (or `@FILE`); repeatable
    #[arg(long, num_args = 1.., value_name = "CIDR")]
    pub used: Vec<String>,
    /// The prefix length of the blocks wanted
    #[arg(long, value_name = "N")]
    pub prefix: u8,
    /// How many blocks to find
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub count: u128,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArg,
}

/// `--format cidr|range|netmask` of the commands that print networks.
#[derive(clap::Args, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FormatArg {
    /// How to print each network: `10.0.0.0/24`, `10.0.0.0-10.0.0.255` (one
    /// line per run of consecutive addresses for set results) or
    /// `10.0.0.0 255.255.255.0`; JSON always lists CIDRs
    #[arg(long, value_enum, default_value_t = Format::Cidr)]
    pub format: Format,
}

/// The notations of `--format`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// `10.0.0.0/24`
    #[default]
    Cidr,
    /// `10.0.0.0-10.0.0.255`
    Range,
    /// `10.0.0.0 255.255.255.0`
    Netmask,
}

/// `split NETWORK (--prefix N | --count N | --hosts N[,N...])`
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
pub struct SplitArgs {
    /// The network to split (host bits are dropped)
    pub network: String,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub how: SplitHow,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArg,
}

/// How to split: exactly one of the three.
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
#[group(required = true, multiple = false)]
pub struct SplitHow {
    /// Split into every subnet of this prefix length
    #[arg(long, value_name = "N")]
    pub prefix: Option<u8>,

    /// Split into N equal subnets (the smallest power-of-two split with at least N)
    #[arg(long, value_name = "N")]
    pub count: Option<u128>,

    /// Give each host count the smallest subnet that holds it, largest first
    #[arg(long, value_name = "N[,N...]", value_delimiter = ',')]
    pub hosts: Option<Vec<u128>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(argv: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("subnet-calc").chain(argv.iter().copied()))
    }

    #[test]
    fn info_mode_takes_positional_inputs() {
        let args = parse(&["10.11.12.13", "255.255.255.0", "--json"]).unwrap();
        assert_eq!(args.inputs, ["10.11.12.13", "255.255.255.0"]);
        assert_eq!(args.command, None);
        assert!(args.common.json);
        assert!(parse(&[]).unwrap().inputs.is_empty());
    }

    #[test]
    fn subcommands() {
        let args = parse(&["split", "10.0.0.0/24", "--hosts", "50,20,2"]).unwrap();
        let Some(Command::Split(split)) = args.command else {
            panic!("not split: {args:?}")
        };
        assert_eq!(split.how.hosts, Some(vec![50, 20, 2]));
        assert_eq!(split.how.prefix, None);
        let args = parse(&["--json", "contains", "10.0.0.0/8", "10.1.2.3", "-"]).unwrap();
        assert!(args.common.json);
        assert_eq!(
            args.command,
            Some(Command::Contains {
                network: "10.0.0.0/8".into(),
                inputs: vec!["10.1.2.3".into(), "-".into()],
            })
        );
        let args = parse(&["range", "10.0.0.1", "10.0.0.9", "--json"]).unwrap();
        assert!(args.common.json);
        assert!(matches!(args.command, Some(Command::Range { .. })));
        assert!(matches!(
            parse(&["aggregate"]).unwrap().command,
            Some(Command::Aggregate { .. })
        ));
        let args = parse(&[
            "diff",
            "@a.txt",
            "10.0.0.0/8",
            "--format",
            "range",
            "--",
            "@b.txt",
        ]);
        let Some(Command::Diff(lists)) = args.unwrap().command else {
            panic!("not diff")
        };
        assert_eq!(
            (lists.a.len(), lists.b.as_slice()),
            (2, &["@b.txt".to_string()][..])
        );
        assert_eq!(lists.format.format, Format::Range);
        let args = parse(&[
            "free",
            "10.0.0.0/16",
            "--used",
            "10.0.0.0/24",
            "10.0.1.0/24",
            "--prefix",
            "24",
            "--count",
            "3",
        ]);
        let Some(Command::Free(free)) = args.unwrap().command else {
            panic!("not free")
        };
        assert_eq!((free.used.len(), free.prefix, free.count), (2, 24, 3));
        let args = parse(&["list", "10.0.0.0/8", "--limit", "5"]).unwrap();
        assert!(matches!(
            args.command,
            Some(Command::List { limit: Some(5), .. })
        ));
    }

    #[test]
    fn bad_command_lines() {
        // split wants exactly one way of splitting.
        assert!(parse(&["split", "10.0.0.0/24"]).is_err());
        assert!(parse(&["split", "10.0.0.0/24", "--prefix", "26", "--count", "2"]).is_err());
        assert!(parse(&["split", "10.0.0.0/24", "--hosts", "x"]).is_err());
        assert!(parse(&["exclude", "10.0.0.0/8"]).is_err());
        assert!(parse(&["range", "10.0.0.1"]).is_err());
        assert!(parse(&["common", "10.0.0.0/8"]).is_err());
        assert!(parse(&["free", "10.0.0.0/8"]).is_err());
        assert!(parse(&["aggregate", "--format", "octal"]).is_err());
        // An input and then a subcommand name is not a subcommand.
        let args = parse(&["10.0.0.1", "split"]).unwrap();
        assert_eq!(args.command, None);
    }
}
