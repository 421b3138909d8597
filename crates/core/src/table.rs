//! Tables in one house style (comfy-table), colored only when the context says so.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table};

/// An empty table in the house style, with a bold header when color is on.
pub fn new(header: &[&str], color: bool) -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    if !header.is_empty() {
        table.set_header(header.iter().map(|h| {
            let cell = Cell::new(h);
            if color {
                cell.add_attribute(Attribute::Bold)
            } else {
                cell
            }
        }));
    }
    table
}

/// A two-column table of labels and values, labels highlighted when color is on.
pub fn key_value<K, V>(rows: impl IntoIterator<Item = (K, V)>, color: bool) -> Table
where
    K: std::fmt::Display,
    V: std::fmt::Display,
{
    let mut table = new(&[], color);
    for (key, value) in rows {
        let key = Cell::new(key);
        let key = if color { key.fg(Color::Cyan) } else { key };
        table.add_row(vec![key, Cell::new(value)]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_table_has_no_escape_codes() {
        let table = key_value([("network", "10.0.0.0"), ("prefix", "/8")], false);
        let text = table.to_string();
        assert!(text.contains("network"));
        assert!(text.contains("10.0.0.0"));
        assert!(!text.contains('\u{1b}'));
    }

    #[test]
    fn colored_table_has_escape_codes() {
        let table = key_value([("network", "10.0.0.0")], true);
        assert!(table.to_string().contains('\u{1b}'));
    }
}
