// Embeds the page templates so the release binary needs no template folder.
fn main() {
    minijinja_embed::embed_templates!("templates", &[".html"][..]);
}
