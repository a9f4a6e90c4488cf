use super::*;

#[test]
fn blanks_are_placed_in_text_and_dropped_inside_tags() {
    let html = "<p>Ibu kota {#1} dan <img alt=\"{#2}\" src=\"a.png\"> {#2} {#3} {#x}</p>";
    let placed = place(html, 2, |n| format!("[{n}]"));
    assert_eq!(
        placed,
        "<p>Ibu kota [1] dan <img alt=\"\" src=\"a.png\"> [2] {#3} {#x}</p>"
    );
    // A quoted '>' does not end the tag.
    let placed = place("<a title=\"a>{#1}\">{#1}</a>", 1, |_| "X".into());
    assert_eq!(placed, "<a title=\"a>\">X</a>");
}

#[test]
fn every_documented_kind_reads_and_writes_back() {
    let text = "Ibu kota Jawa Tengah adalah {1:SHORTANSWER:=Semarang#Benar~*Solo*#Bukan~*#Salah}. \
        Jumlah host /26 adalah {2:NUMERICAL:=62:0#Tepat~%50%64#Alamat jaringan dan broadcast tidak dihitung}. \
        Protokol web aman {:MC:~HTTP#Tidak terenkripsi~=HTTPS#Benar~FTP}, \
        {:MCV:=a~b}, {:MCH:=a~b}, {:MULTIRESPONSE:%50%SSH~%50%HTTPS~%-100%Telnet#Tidak aman}, \
        {:MRH:=a~b}, {:SAC:=Bimtek}, {:MCS:=a~b} dan kurung biasa {bukan bagian}.";
    let cloze = parse(text).unwrap();
    assert_eq!(cloze.blanks.len(), 9);
    assert!(cloze.text.starts_with("Ibu kota Jawa Tengah adalah {#1}. "));
    assert!(cloze.text.ends_with("dan kurung biasa {bukan bagian}."));
    let first = &cloze.blanks[0];
    assert_eq!(first.weight, 1);
    assert_eq!(
        first.kind,
        BlankKind::Short {
            case_sensitive: false
        }
    );
    assert_eq!(first.answers[1].text, "*Solo*");
    assert_eq!(first.answers[1].feedback, "Bukan");
    let number = &cloze.blanks[1];
    assert_eq!((number.weight, number.answers[1].fraction), (2, 0.5));
    assert_eq!(number.answers[0].tolerance, Some(0.0));
    assert_eq!(cloze.blanks[5].answers[2].fraction, -1.0);
    assert_eq!(
        cloze.blanks[6].kind,
        BlankKind::Multiple {
            layout: Layout::Horizontal,
            shuffle: false
        }
    );
    // Written back and read again, nothing changes.
    assert_eq!(parse(&write(&cloze.text, &cloze.blanks)).unwrap(), cloze);
}

#[test]
fn escapes_survive_and_bad_blanks_are_named() {
    let cloze = parse(r"Tulis {1:SA:=a\}b\#c\~d#umpan \#1}.").unwrap();
    assert_eq!(cloze.blanks[0].answers[0].text, "a}b#c~d");
    assert_eq!(cloze.blanks[0].answers[0].feedback, "umpan #1");
    assert_eq!(parse(&write(&cloze.text, &cloze.blanks)).unwrap(), cloze);
    assert_eq!(
        parse("{1:SA:=a} dan {1:NM:=dua}").unwrap_err(),
        "bagian ke-2: jawaban numerik 'dua' bukan angka"
    );
    assert!(
        parse("{1:MC:~a~b}")
            .unwrap_err()
            .contains("tanpa jawaban benar")
    );
    assert!(parse("Tanpa bagian {sama sekali}").is_err());
}

#[test]
fn stray_braces_markers_and_huge_numbers_are_handled() {
    // A stray brace before a blank leaves the blank a blank (its answer
    // never shown as text).
    let cloze = parse("Karakter { disebut {1:SA:=kurung kurawal}, lalu {2:SA:=x}").unwrap();
    assert_eq!(cloze.blanks.len(), 2);
    assert_eq!(cloze.text, "Karakter { disebut {#1}, lalu {#2}");
    assert!(
        parse("Lihat {#1} dan {1:SA:=x}")
            .unwrap_err()
            .contains("{#1}")
    );
    assert!(
        parse("{4294967295:SA:=a} {2:SA:=b}")
            .unwrap_err()
            .contains("terlalu besar")
    );
    assert!(parse("{1:NM:=5:inf}").unwrap_err().contains("toleransi"));
    assert!(parse("{1:NM:=NaN}").unwrap_err().contains("bukan angka"));
    let many = format!("{{1:MC:={}}}", "~b".repeat(MAX_ANSWERS));
    assert!(
        parse(&many)
            .unwrap_err()
            .contains("jawaban dalam satu soal")
    );
    // Thousands of stray braces are read in one pass.
    let braces = "{".repeat(200_000) + "{1:SA:=a}";
    assert_eq!(parse(&braces).unwrap().blanks.len(), 1);
    // An answer written with a double space matches a single one.
    let spaced = parse("{1:SA:=Kota  Magelang}").unwrap();
    assert_eq!(mark(&spaced.blanks[0], Some("kota magelang"), &[]), 1.0);
}

#[test]
fn blanks_are_marked_as_moodle_marks_them_and_weighted() {
    let cloze = parse(
        "{2:SA:=Magelang~%50%Kota Magelang~*lang#hampir} {1:NM:=3,5:0.1} {:MC:a~=b~c} {:MR:%50%a~%50%b~%-100%c}"
            .replace("3,5", "3.5")
            .as_str(),
    )
    .unwrap();
    let b = &cloze.blanks;
    assert_eq!(mark(&b[0], Some("  magelang "), &[]), 1.0);
    assert_eq!(mark(&b[0], Some("Kota  Magelang"), &[]), 0.5);
    assert_eq!(mark(&b[0], Some("Salatiga"), &[]), 0.0);
    assert_eq!(mark(&b[1], Some("3,55"), &[]), 1.0);
    assert_eq!(mark(&b[1], Some("3,7"), &[]), 0.0);
    assert_eq!(mark(&b[2], None, &[1]), 1.0);
    assert_eq!(mark(&b[3], None, &[0, 1]), 1.0);
    assert_eq!(mark(&b[3], None, &[0, 2]), 0.0);
    // (2 × 1 + 1 × 0 + 1 × 1 + 1 × 0,5) / 5
    assert!((total(b, &[1.0, 0.0, 1.0, 0.5]) - 0.7).abs() < 1e-9);
}

/// Found by the fuzz target: an empty wrong answer (`~#~`) was read, then
/// written as nothing, so the bank did not read back the same.
#[test]
fn an_empty_wrong_answer_is_dropped_so_writing_reads_back_the_same() {
    let read = parse("{1:SHORTANSWER:{1:~#~=}").unwrap();
    assert_eq!(read.blanks[0].answers.len(), 2);
    assert_eq!(parse(&write(&read.text, &read.blanks)).unwrap(), read);
}
