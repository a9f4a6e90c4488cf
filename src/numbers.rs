//! Numbers as a person in Indonesia reads them: `1.048.576` (a dot groups
//! thousands) and `10,5` (a decimal comma). Used in messages that name a
//! limit or a count.

/// A number as people here type it: "1,5", "1.5", "1.234,5", " 62 ";
/// `None` for anything else and for infinities.
pub fn read(text: &str) -> Option<f64> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let normal = if compact.contains(',') {
        compact.replace('.', "").replace(',', ".")
    } else {
        compact
    };
    normal.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `1048576` → `1.048.576`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// At most two decimals with a decimal comma: `2.5` → `2,5`, `4.0` → `4`.
pub fn decimal(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.replace('.', ",")
}

/// Every digit of `value` with a decimal comma and no thousands separator,
/// as a numeric answer is typed: `43.2` → `43,2`, `16384` → `16384`.
pub fn plain(value: f64) -> String {
    format!("{value}").replace('.', ",")
}

/// A byte count in MiB with at most one decimal: `52428800` → `50 MiB`,
/// `11010048` → `10,5 MiB`.
pub fn mebibytes(bytes: u64) -> String {
    let tenths = (bytes as f64 / (1024.0 * 1024.0) * 10.0).round() as u64;
    match tenths % 10 {
        0 => format!("{} MiB", grouped(tenths / 10)),
        d => format!("{},{d} MiB", grouped(tenths / 10)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_take_a_comma() {
        assert_eq!(plain(43.2), "43,2");
        assert_eq!(plain(0.125), "0,125");
        assert_eq!(plain(16384.0), "16384");
        assert_eq!(decimal(2.5), "2,5");
        assert_eq!(decimal(4.0), "4");
        assert_eq!(decimal(1.256), "1,26");
    }

    #[test]
    fn groups_thousands_with_dots() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1.000");
        assert_eq!(grouped(10_000), "10.000");
        assert_eq!(grouped(1_048_576), "1.048.576");
    }

    #[test]
    fn mebibytes_use_a_decimal_comma() {
        assert_eq!(mebibytes(50 * 1024 * 1024), "50 MiB");
        assert_eq!(mebibytes(10 * 1024 * 1024 + 512 * 1024), "10,5 MiB");
        assert_eq!(mebibytes(1024 * 1024 * 1024), "1.024 MiB");
    }
}
