// Embeds the page templates so the release binary needs no template folder.
fn main() {
    minijinja_embed::embed_templates!("templates", &[".html"][..]);
    // The question banks are compiled in too (include_dir! in
    // src/banks/shipped.rs); a new file there must rebuild.
    println!("cargo:rerun-if-changed=question_banks");
}
