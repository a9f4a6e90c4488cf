//! The server's clock. Every deadline and timestamp comes from here, in UTC;
//! pages show Asia/Jakarta (WIB, UTC+7, no daylight saving).

use time::{Date, OffsetDateTime, UtcOffset, macros::offset};

pub const WIB: UtcOffset = offset!(+7);

/// Now, in UTC, truncated to microseconds so it round-trips through
/// PostgreSQL `timestamptz` unchanged.
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .unwrap_or(now)
}

/// Today's date in WIB, the calendar civil servants live by.
pub fn today_wib() -> Date {
    now().to_offset(WIB).date()
}

const MONTHS: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// The Indonesian name of a month.
pub fn month_name(month: time::Month) -> &'static str {
    MONTHS[usize::from(u8::from(month)) - 1]
}

/// "Senin"
pub fn weekday_name(date: Date) -> &'static str {
    const DAYS: [&str; 7] = [
        "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu",
    ];
    DAYS[usize::from(date.weekday().number_days_from_monday())]
}

/// "22 November 2026"
pub fn format_date_id(date: Date) -> String {
    let month = MONTHS[usize::from(u8::from(date.month())) - 1];
    format!("{} {} {}", date.day(), month, date.year())
}

/// "22 November 2026 16.05 WIB"
pub fn format_datetime_wib(at: OffsetDateTime) -> String {
    let local = at.to_offset(WIB);
    format!(
        "{} {:02}.{:02} WIB",
        format_date_id(local.date()),
        local.hour(),
        local.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn names_weekdays_in_indonesian() {
        assert_eq!(weekday_name(time::macros::date!(2026 - 03 - 02)), "Senin");
        assert_eq!(weekday_name(time::macros::date!(2026 - 03 - 08)), "Minggu");
    }

    #[test]
    fn formats_dates_in_indonesian() {
        assert_eq!(
            format_date_id(time::macros::date!(2026 - 11 - 22)),
            "22 November 2026"
        );
        assert_eq!(
            format_date_id(time::macros::date!(2026 - 03 - 05)),
            "5 Maret 2026"
        );
    }

    #[test]
    fn shows_wib_time() {
        assert_eq!(
            format_datetime_wib(datetime!(2026-11-22 17:30 UTC)),
            "23 November 2026 00.30 WIB"
        );
    }
}

// `YYYY-MM-DD` for dates in pages and templates (serde's default for a
// `time::Date` is a tuple, which no template can format).
time::serde::format_description!(pub iso_date, Date, "[year]-[month]-[day]");
