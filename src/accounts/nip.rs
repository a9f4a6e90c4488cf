//! The NIP (Nomor Induk Pegawai), parsed once at the edge.
//!
//! Two 18-digit layouts exist:
//! - PNS: birth date `YYYYMMDD`, TMT CPNS `YYYYMM`, sex digit, serial `NNN`.
//! - PPPK: birth date `YYYYMMDD`, TMT year `YYYY`, the digit `2`, an
//!   appointment-frequency digit, sex digit, serial `NNN`.
//!
//! Digits 13–14 tell them apart: a PNS month is `01`–`12`, a PPPK has `21`–`29`.

use std::fmt;

use time::{Date, Month};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NipKind {
    Pns,
    Pppk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

/// A NIP whose layout and dates have been checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nip(String);

/// Why a NIP is not valid; the message says it in Bahasa Indonesia.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NipError {
    #[error("NIP harus 18 digit angka (ditemukan {0} karakter)")]
    WrongLength(usize),
    #[error("NIP hanya boleh berisi angka (karakter '{0}' tidak sah)")]
    NotDigit(char),
    #[error("tanggal lahir {0} pada digit 1–8 bukan tanggal yang sah")]
    InvalidBirthDate(String),
    #[error("tanggal lahir {0} pada digit 1–8 tidak masuk akal")]
    ImplausibleBirthDate(String),
    #[error("bulan TMT {0} pada digit 13–14 tidak sah (PNS: 01–12, PPPK: 21–29)")]
    InvalidTmtMonth(String),
    #[error("TMT {0} lebih awal dari ulang tahun ke-18")]
    TmtBeforeAdulthood(String),
    #[error("TMT {0} belum terjadi (di masa depan)")]
    TmtInFuture(String),
    #[error("TMT PPPK {0} tidak mungkin: PPPK baru ada sejak 2019")]
    PppkTooEarly(i32),
    #[error("digit frekuensi pengangkatan PPPK (digit 14) tidak boleh 0")]
    InvalidPppkFrequency,
    #[error("digit jenis kelamin (digit 15) harus 1 atau 2, bukan {0}")]
    InvalidSex(char),
    #[error("nomor urut (digit 16–18) harus 001–999, bukan 000")]
    InvalidSerial,
}

/// The first year PPPK appointments exist (PP 49/2018).
const FIRST_PPPK_YEAR: i32 = 2019;

impl Nip {
    /// Parses a NIP as typed by people: spaces (as printed on SK letters) are ignored.
    pub fn parse(input: &str, today: Date) -> Result<Nip, NipError> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(bad) = digits.chars().find(|c| !c.is_ascii_digit()) {
            return Err(NipError::NotDigit(bad));
        }
        if digits.len() != 18 {
            return Err(NipError::WrongLength(digits.chars().count()));
        }
        let num = |from: usize, to: usize| -> u32 { digits[from..to].parse().unwrap_or(0) };

        let birth_text = format!("{}-{}-{}", &digits[0..4], &digits[4..6], &digits[6..8]);
        let birth = Month::try_from(num(4, 6) as u8)
            .ok()
            .and_then(|month| {
                Date::from_calendar_date(num(0, 4) as i32, month, num(6, 8) as u8).ok()
            })
            .ok_or_else(|| NipError::InvalidBirthDate(birth_text.clone()))?;
        if birth.year() < 1900 || birth >= today {
            return Err(NipError::ImplausibleBirthDate(birth_text));
        }
        let adult_year = birth.year() + 18;

        let kind_digits = &digits[12..14];
        if kind_digits.starts_with('2') {
            let tmt_year = num(8, 12) as i32;
            if tmt_year < adult_year {
                return Err(NipError::TmtBeforeAdulthood(tmt_year.to_string()));
            }
            if tmt_year > today.year() {
                return Err(NipError::TmtInFuture(tmt_year.to_string()));
            }
            if tmt_year < FIRST_PPPK_YEAR {
                return Err(NipError::PppkTooEarly(tmt_year));
            }
            if kind_digits == "20" {
                return Err(NipError::InvalidPppkFrequency);
            }
        } else {
            let tmt_text = format!("{}-{}", &digits[8..12], kind_digits);
            let tmt_month = num(12, 14);
            if !(1..=12).contains(&tmt_month) {
                return Err(NipError::InvalidTmtMonth(kind_digits.to_owned()));
            }
            let tmt = (num(8, 12) as i32, tmt_month);
            if tmt < (adult_year, u32::from(u8::from(birth.month()))) {
                return Err(NipError::TmtBeforeAdulthood(tmt_text));
            }
            if tmt > (today.year(), u32::from(u8::from(today.month()))) {
                return Err(NipError::TmtInFuture(tmt_text));
            }
        }

        let sex = digits.as_bytes()[14] as char;
        if sex != '1' && sex != '2' {
            return Err(NipError::InvalidSex(sex));
        }
        if &digits[15..18] == "000" {
            return Err(NipError::InvalidSerial);
        }
        Ok(Nip(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn kind(&self) -> NipKind {
        if self.0.as_bytes()[12] == b'2' {
            NipKind::Pppk
        } else {
            NipKind::Pns
        }
    }

    pub fn sex(&self) -> Sex {
        if self.0.as_bytes()[14] == b'1' {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// `198503122010011001` → `19850312******1001`, for public pages.
    pub fn masked(&self) -> String {
        format!("{}******{}", &self.0[..8], &self.0[14..])
    }
}

impl fmt::Display for Nip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn parse(s: &str) -> Result<Nip, NipError> {
        Nip::parse(s, TODAY)
    }

    #[test]
    fn accepts_valid_pns() {
        let nip = parse("198503122010011001").unwrap();
        assert_eq!(nip.kind(), NipKind::Pns);
        assert_eq!(nip.sex(), Sex::Male);
        assert_eq!(nip.as_str(), "198503122010011001");
    }

    #[test]
    fn accepts_spaces_as_printed_on_letters() {
        let nip = parse("19850312 201001 2 003").unwrap();
        assert_eq!(nip.as_str(), "198503122010012003");
        assert_eq!(nip.sex(), Sex::Female);
    }

    #[test]
    fn accepts_valid_pppk() {
        let nip = parse("199001012023212001").unwrap();
        assert_eq!(nip.kind(), NipKind::Pppk);
        assert_eq!(nip.sex(), Sex::Female);
    }

    #[test]
    fn accepts_leap_day_and_tmt_in_the_month_of_the_18th_birthday() {
        assert!(parse("200002292018021001").is_ok());
    }

    #[test]
    fn masks_the_middle() {
        assert_eq!(
            parse("198503122010011001").unwrap().masked(),
            "19850312******1001"
        );
    }

    #[test]
    fn rejects_every_malformation_with_its_reason() {
        let cases: &[(&str, NipError)] = &[
            ("", NipError::WrongLength(0)),
            ("19850312201001100", NipError::WrongLength(17)),
            ("1985031220100110011", NipError::WrongLength(19)),
            ("19850312201001100X", NipError::NotDigit('X')),
            ("1985-03-12", NipError::NotDigit('-')),
            (
                "198513122010011001",
                NipError::InvalidBirthDate("1985-13-12".into()),
            ),
            (
                "198502302010011001",
                NipError::InvalidBirthDate("1985-02-30".into()),
            ),
            (
                "200102292019021001",
                NipError::InvalidBirthDate("2001-02-29".into()),
            ),
            (
                "198500122010011001",
                NipError::InvalidBirthDate("1985-00-12".into()),
            ),
            (
                "185003122010011001",
                NipError::ImplausibleBirthDate("1850-03-12".into()),
            ),
            (
                "203001012050011001",
                NipError::ImplausibleBirthDate("2030-01-01".into()),
            ),
            ("198503122010131001", NipError::InvalidTmtMonth("13".into())),
            ("198503122010001001", NipError::InvalidTmtMonth("00".into())),
            ("198503122010351001", NipError::InvalidTmtMonth("35".into())),
            (
                "198503122003021001",
                NipError::TmtBeforeAdulthood("2003-02".into()),
            ),
            (
                "198503122030011001",
                NipError::TmtInFuture("2030-01".into()),
            ),
            (
                "198503122026121001",
                NipError::TmtInFuture("2026-12".into()),
            ),
            ("198503122010013001", NipError::InvalidSex('3')),
            ("198503122010010001", NipError::InvalidSex('0')),
            ("198503122010011000", NipError::InvalidSerial),
            (
                "200501012021211001",
                NipError::TmtBeforeAdulthood("2021".into()),
            ),
            ("199001012027211001", NipError::TmtInFuture("2027".into())),
            ("197001012015211001", NipError::PppkTooEarly(2015)),
            ("199001012023201001", NipError::InvalidPppkFrequency),
            ("199001012023213001", NipError::InvalidSex('3')),
            ("199001012023211000", NipError::InvalidSerial),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input).as_ref(), Err(expected), "input {input:?}");
        }
    }

    #[test]
    fn messages_say_why() {
        let err = parse("198503122010013001").unwrap_err();
        assert!(err.to_string().contains("jenis kelamin"), "{err}");
        let err = parse("123").unwrap_err();
        assert!(err.to_string().contains("18 digit"), "{err}");
    }
}
