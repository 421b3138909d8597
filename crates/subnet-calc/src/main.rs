//! The `subnet-calc` binary: everything is in the library.

fn main() {
    netlens_core::main::<subnet_calc::SubnetCalc>()
}
