//! What a person reads for a field an error names. Errors carry the field
//! as the API knows it (`selection.rules[1].count`); a page shows it as
//! "Pemilihan soal › Aturan ke-2 › Jumlah", never the key itself.

/// The label of one field name, or none for a name no page uses.
fn label(name: &str) -> Option<&'static str> {
    Some(match name {
        "angkatan" | "batch_id" => "Angkatan",
        "appeal_days" => "Batas hari banding",
        "assessor_id" | "assessors" => "Asesor",
        "bank" | "bank_id" => "Bank soal",
        "body" | "body_markdown" => "Isi",
        "bring" => "Yang perlu dibawa",
        "capacity" => "Kapasitas",
        "choices" => "Pilihan",
        "closes_at" => "Ditutup",
        "code" => "Kode",
        "code_prefix" => "Awalan kode",
        "closing" => "Penutup",
        "comment" => "Komentar",
        "confirm" => "Konfirmasi",
        "count" => "Jumlah",
        "course_id" => "Kursus",
        "current_password" => "Kata sandi saat ini",
        "day" => "Hari",
        "description" => "Deskripsi",
        "email" => "E-mail",
        "ends_at" => "Selesai",
        "ends_on" => "Tanggal selesai",
        "enrol_closes_at" => "Pendaftaran ditutup",
        "expiry_months" => "Masa berlaku (bulan)",
        "file" => "Berkas",
        "format" => "Format",
        "grade_method" => "Cara penilaian",
        "jabatan" => "Jabatan",
        "jp" => "JP",
        "letter_jp" => "JP surat keterangan",
        "letters" => "Surat keterangan",
        "level" | "levels" => "Tingkat",
        "login" => "NIP, nama pengguna, atau e-mail",
        "matches" => "Pasangan",
        "max_attempts" => "Batas percobaan",
        "meeting_link" => "Tautan pertemuan daring",
        "min_attendance_percent" => "Kehadiran minimal (%)",
        "moderation_threshold" => "Ambang moderasi",
        "module_ids" => "Modul",
        "name" | "nama" => "Nama",
        "new_password" => "Kata sandi baru",
        "new_password2" => "Ulangi kata sandi baru",
        "nip" => "NIP",
        "number" => "Angka",
        "number_pattern" => "Pola nomor",
        "opens_at" => "Dibuka",
        "pass_percent" => "Nilai lulus (%)",
        "password" => "Kata sandi",
        "points" => "Poin",
        "post_review_policy" => "Pembahasan post-test",
        "question_ids" => "Soal",
        "reason" => "Alasan",
        "response" => "Jawaban",
        "review_policy" => "Pembahasan",
        "roles" => "Peran",
        "rules" => "Aturan",
        "selection" => "Pemilihan soal",
        "sessions" => "Sesi",
        "spec" => "Rancangan ujian",
        "starts_at" => "Mulai",
        "starts_on" => "Tanggal mulai",
        "status" => "Status",
        "tag" | "tags" => "Tag",
        "target_level" => "Jenjang sasaran",
        "task_key" => "Tugas",
        "template" => "Templat",
        "text" => "Teks",
        "time_limit_minutes" => "Batas waktu (menit)",
        "time_limit_seconds" => "Batas waktu (detik)",
        "title" => "Judul",
        "token" => "Tautan",
        "track" => "Jalur",
        "type" | "types" => "Jenis soal",
        "unit_kerja" => "Unit kerja",
        "units" => "Unit kompetensi",
        "user" | "user_id" | "user_ids" => "Pengguna",
        "username" => "Nama pengguna",
        "organisation" => "Penyelenggaraan",
        "speaker" => "Pernyataan tentang narasumber",
        "speakers" => "Narasumber",
        "scores" => "Pernyataan",
        "subject" => "Subjek",
        "venue" => "Tempat",
        _ => return None,
    })
}

/// The whole path as a person reads it; a field no page knows reads
/// "Isian" rather than leaking its key. Names already in Indonesian
/// (column headers of an import, "Nilai") pass through.
pub fn field_label(field: &str) -> String {
    if field.chars().next().is_some_and(char::is_uppercase) {
        return field.to_owned();
    }
    let mut parts = Vec::new();
    for segment in field.split('.') {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        let Some(text) = label(name) else {
            return parts.first().cloned().unwrap_or_else(|| "Isian".to_owned());
        };
        parts.push(match index {
            Some(i) => format!("{text} ke-{}", i + 1),
            None => text.to_owned(),
        });
    }
    parts.join(" › ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_become_labels() {
        assert_eq!(field_label("number_pattern"), "Pola nomor");
        assert_eq!(field_label("nip"), "NIP");
        assert_eq!(
            field_label("selection.rules[1].count"),
            "Pemilihan soal › Aturan ke-2 › Jumlah"
        );
        assert_eq!(field_label("response.choices"), "Jawaban › Pilihan");
    }

    #[test]
    fn unknown_keys_never_leak() {
        assert_eq!(field_label("internal_thing"), "Isian");
        assert_eq!(field_label("selection.mystery"), "Pemilihan soal");
        assert_eq!(field_label(""), "Isian");
    }

    #[test]
    fn indonesian_names_pass_through() {
        assert_eq!(field_label("Nilai"), "Nilai");
    }
}
