//! `caucus token create --doc` over the API prints an invitation link that opens the analysis
//! (issue 14, item 4): a link with the token alone lands the invited person on an empty list.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use caucus_relay::DocumentId;
use common::*;

#[test]
fn a_token_limited_to_one_analysis_is_invited_to_that_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path());
    let doc = DocumentId::random();
    let create = |extra: &[&str]| {
        ok(&run(caucus()
            .args(["token", "create", "--role", "editor", "--name", "Ana"])
            .args(extra)
            .args(["--server", &server.url])
            .env("CAUCUS_ADMIN_TOKEN", ADMIN)))
    };
    let secret_of = |out: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix("token (shown only this once): "))
            .expect("secret line")
            .to_owned()
    };

    // given as an automerge URL, as the web client shows it
    let out = create(&["--doc", &format!("automerge:{doc}")]);
    let secret = secret_of(&out);
    let links: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("invitation link: "))
        .collect();
    assert_eq!(
        links,
        vec![format!(
            "{}/#doc=automerge:{doc}&token={secret}",
            server.url
        )],
        "{out}"
    );

    // a token for every analysis has nothing to open: the link carries the token only
    let out = create(&[]);
    let secret = secret_of(&out);
    assert!(
        out.contains(&format!(
            "invitation link: {}/#token={secret}\n",
            server.url
        )),
        "{out}"
    );
}
