use super::*;
use rand::SeedableRng;
use time::macros::{date, datetime};

fn facts(unmet: &[&str], attendance: f64, exam: ExamStanding) -> Facts {
    Facts {
        unmet: unmet.iter().map(|s| s.to_string()).collect(),
        attendance_percent: attendance,
        min_attendance_percent: 80.0,
        exam,
    }
}

#[test]
fn eligibility_table() {
    use CertificateKind::*;
    use Eligibility::*;
    let bk = || ExamStanding::BelumKompeten(vec!["Menyusun siaran pers".into()]);
    let cases = [
        (
            facts(&[], 100.0, ExamStanding::NoExam),
            true,
            Eligible(Kelulusan),
        ),
        (
            facts(&[], 80.0, ExamStanding::Kompeten),
            true,
            Eligible(Kelulusan),
        ),
        (facts(&[], 90.0, bk()), true, Eligible(Keterangan)),
        (
            facts(&[], 90.0, bk()),
            false,
            NotEligible(vec![
                "belum kompeten pada unit: Menyusun siaran pers".into(),
            ]),
        ),
        (
            facts(&["kuis 'X' belum lulus"], 85.0, ExamStanding::NoExam),
            true,
            Eligible(Keterangan),
        ),
        (
            facts(
                &["kehadiran 50% di bawah syarat 80%"],
                50.0,
                ExamStanding::NoExam,
            ),
            true,
            NotEligible(vec!["kehadiran 50% di bawah syarat 80%".into()]),
        ),
        (
            facts(&[], 100.0, ExamStanding::NotReleased),
            true,
            NotEligible(vec!["hasil uji kompetensi belum dirilis".into()]),
        ),
        (
            facts(&[], 100.0, ExamStanding::NotSat),
            true,
            Eligible(Keterangan),
        ),
        (
            facts(&[], 79.9, ExamStanding::NotSat),
            true,
            NotEligible(vec!["belum mengikuti uji kompetensi".into()]),
        ),
    ];
    for (f, letters, expected) in cases {
        assert_eq!(
            eligibility(&f, letters),
            expected,
            "{f:?} letters={letters}"
        );
    }
}

#[test]
fn numbers_follow_the_pattern() {
    let on = date!(2026 - 11 - 22);
    assert_eq!(
        format_number(DEFAULT_PATTERN, 7, "PK-01", on).unwrap(),
        "007/BKD-BIMTEK/PK-01/XI/2026"
    );
    assert_eq!(
        format_number("{seq}/{month}/{year}", 1234, "X", on).unwrap(),
        "1234/11/2026"
    );
    assert!(
        format_number("{year}/{course_code}", 1, "X", on)
            .unwrap_err()
            .contains("{seq}")
    );
    assert!(
        format_number("{seq}/{bulan}", 1, "X", on)
            .unwrap_err()
            .contains("bulan")
    );
    assert!(format_number("{seq", 1, "X", on).is_err());
    assert!(
        format_number("{seq:999999999}", 1, "X", on).is_err(),
        "width capped"
    );
    assert_eq!(roman_month(4), "IV");
    assert_eq!(roman_month(9), "IX");
}

#[test]
fn codes_are_unambiguous_and_normalised() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let code = verification_code(&mut rng);
    assert_eq!(code.len(), 14);
    assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
    assert_eq!(normalise_code(&code.to_lowercase().replace('-', " ")), code);
}

#[test]
fn nip_is_masked_in_the_middle() {
    assert_eq!(mask_nip("198503122010012003"), "198503********2003");
    assert_eq!(mask_nip("1985 0312 2010 01 2 003"), "198503********2003");
    assert_eq!(mask_nip("1234"), "****");
}

#[test]
fn dates_as_siasn_wants_them() {
    assert_eq!(siasn_date(date!(2026 - 03 - 05)), "05-03-2026");
}

#[test]
fn verification_outcomes() {
    let today = date!(2026 - 11 - 22);
    assert_eq!(verify_status(true, false, None, today), VerifyStatus::Valid);
    assert_eq!(
        verify_status(true, true, None, today),
        VerifyStatus::Revoked
    );
    assert_eq!(
        verify_status(false, true, None, today),
        VerifyStatus::Invalid
    );
    assert_eq!(
        verify_status(true, false, Some(date!(2026 - 11 - 21)), today),
        VerifyStatus::Expired
    );
    assert_eq!(
        verify_status(true, false, Some(today), today),
        VerifyStatus::Valid
    );
}

#[test]
fn expiry_counts_whole_months() {
    let issued = datetime!(2026-01-31 10:00 UTC);
    assert_eq!(expiry(issued, Some(1)), Some(date!(2026 - 02 - 28)));
    assert_eq!(expiry(issued, Some(24)), Some(date!(2028 - 01 - 31)));
    assert_eq!(expiry(issued, None), None);
    assert_eq!(expiry(issued, Some(0)), None);
}

#[test]
fn canonical_bytes_change_with_any_field() {
    let content = Content {
        number: "001/BKD-BIMTEK/PK/XI/2026".into(),
        kind: CertificateKind::Kelulusan,
        holder_name: "Siti Aminah".into(),
        nip: Some("198503122010012003".into()),
        unit_kerja: Some("Diskominfo".into()),
        course_code: "PK".into(),
        course_title: "Bimtek Pranata Komputer".into(),
        batch_name: "Angkatan I".into(),
        starts_on: "3 Maret 2026".into(),
        ends_on: "5 Maret 2026".into(),
        jp: 24,
        units: vec![],
        issuer: "BKD Kota Magelang".into(),
        signatory_name: "Drs. Kepala".into(),
        signatory_position: "Kepala BKD".into(),
        letterhead: Vec::new(),
        signatory_nip: None,
        signatory_rank: None,
        issued_at: "2026-11-22T10:00:00Z".into(),
        expires_on: None,
        verification_code: "K7QM-P3XV-9TRA".into(),
        replaces: None,
        standing_signed: false,
    };
    let mut changed = content.clone();
    changed.jp = 25;
    assert_ne!(content.canonical_bytes(), changed.canonical_bytes());
    assert_eq!(content.canonical_bytes(), content.clone().canonical_bytes());
    let text = String::from_utf8(content.canonical_bytes()).unwrap();
    assert!(
        text.starts_with("{\"batch_name\":\"Angkatan I\",\"course_code\""),
        "{text}"
    );
    // A certificate from before signed standings keeps its signed bytes.
    assert!(!text.contains("standing_signed"), "{text}");
    let signed = Content {
        standing_signed: true,
        ..content.clone()
    };
    assert!(
        String::from_utf8(signed.canonical_bytes())
            .unwrap()
            .contains("\"standing_signed\":true")
    );
}

#[test]
fn a_letter_credits_no_jp_unless_the_course_counts_attendance() {
    use CertificateKind::*;
    assert_eq!(credited_jp(Kelulusan, 32, LetterJp::None, 3, 4), 32);
    assert_eq!(credited_jp(Keterangan, 32, LetterJp::None, 4, 4), 0);
    // 3 of 4 sessions of a 30 JP course: 22,5 JP, rounded down.
    assert_eq!(credited_jp(Keterangan, 30, LetterJp::Attended, 3, 4), 22);
    assert_eq!(credited_jp(Keterangan, 30, LetterJp::Attended, 4, 4), 30);
    assert_eq!(credited_jp(Keterangan, 30, LetterJp::Attended, 0, 0), 0);
    assert_eq!(credited_jp(Keterangan, 30, LetterJp::Attended, 9, 4), 30);
}
