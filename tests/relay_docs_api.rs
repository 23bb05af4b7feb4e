//! The document API on a real relay: reports, history and change files, with the access rules
//! and the bounds every outside input gets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use automerge::{ActorId, AutoCommit, Automerge};
use caucus_model::changefile;
use caucus_model::report::{ReportOptions, Since};
use caucus_model::{Attribution, Date, Stance, Timestamp};
use caucus_relay::DocumentId;
use caucus_tests::*;

const QUIET: Duration = Duration::from_millis(300);

/// A relay holding the scripted sample analysis under a fresh id.
async fn relay_with_sample(
    dir: &std::path::Path,
) -> anyhow::Result<(TestRelay, DocumentId, Automerge)> {
    let relay = TestRelay::start(dir).await?;
    let id = DocumentId::random();
    let sample = caucus_model::sample::scripted_analysis()?
        .document()
        .clone();
    let mut peer = Peer::connect(&relay.ws_url(), "loader").await?;
    let mut doc = PeerDoc::new(id.clone(), sample);
    peer.sync_until_quiet(&mut doc, QUIET).await?;
    let stored = stored_doc(&relay.storage, &id).await?.expect("stored");
    assert_eq!(stored.get_heads(), doc.doc.get_heads());
    Ok((relay, id, doc.doc))
}

/// Typing is one history entry per editing session by default; `raw=1` gives every change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_is_grouped_by_editing_session_and_raw_on_request() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let id = DocumentId::random();
    let mut doc = caucus_model::sample::scripted_analysis()?;
    // Maria types a sentence into Brazil's notes key by key, seconds apart.
    let sentence = " Heard in corridor.";
    doc.set_actor(ActorId::from([0x5a; 16]));
    caucus_model::register_member(&mut doc, "maria", "Maria", "Coalition")?;
    caucus_model::commit_edit(
        &mut doc,
        "register",
        &Timestamp::parse("2026-11-20T09:00:00Z")?,
    );
    for (i, ch) in sentence.chars().enumerate() {
        let when = Timestamp::parse(&format!("2026-11-20T10:00:{i:02}Z"))?;
        let by = Attribution::new("maria", when.clone());
        let text = ch.to_string();
        let len = caucus_model::read_analysis(doc.document())?.countries["BR"].positions["res-102"]
            .notes
            .chars()
            .count();
        let edit = caucus_model::TextEdit::insert(len, &text);
        caucus_model::edit_position_notes(&mut doc, &by, "BR", "res-102", &edit)?;
        caucus_model::commit_edit(&mut doc, "notes", &when);
    }
    let mut peer = Peer::connect(&relay.ws_url(), "loader").await?;
    let mut synced = PeerDoc::new(id.clone(), doc.document().clone());
    peer.sync_until_quiet(&mut synced, QUIET).await?;

    let field = "countries/BR/positions/res-102/notes";
    let get = |query: &str| {
        let path = format!("/api/docs/{id}/history?field={field}{query}");
        let addr = relay.addr;
        async move { http_exchange(addr, "GET", &path, &[&bearer(TOKEN)], None).await }
    };
    let grouped = get("").await?;
    assert_eq!(grouped.status, 200, "{}", grouped.text());
    let sessions: serde_json::Value = serde_json::from_slice(&grouped.body)?;
    let newest = &sessions[0];
    assert_eq!(newest["memberName"], "Maria");
    assert_eq!(
        newest["changes"].as_array().map(Vec::len),
        Some(sentence.len())
    );
    let before = newest["edits"][0]["before"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(newest["edits"][0]["after"], format!("{before}{sentence}"));
    assert_eq!(newest["startedAt"], "2026-11-20T10:00:00Z");
    let local = caucus_model::history_sessions(
        doc.document(),
        &caucus_model::HistoryQuery::for_path(field),
    )?;
    assert_eq!(sessions, serde_json::to_value(&local)?);

    let raw = get("&raw=1").await?;
    assert_eq!(raw.status, 200, "{}", raw.text());
    let changes: serde_json::Value = serde_json::from_slice(&raw.body)?;
    let changes = changes.as_array().map(Vec::as_slice).unwrap_or_default();
    assert!(changes.len() >= sentence.len(), "one entry per keystroke");
    assert!(changes.len() > sessions.as_array().map_or(0, Vec::len));
    assert_eq!(changes[0]["edits"][0]["value"], newest["edits"][0]["after"]);
    assert_eq!(get("&raw=maybe").await?.status, 400);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_and_history_come_from_the_model_byte_for_byte() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (relay, id, doc) = relay_with_sample(dir.path()).await?;
    let get = |path: String, token: &'static str| {
        let addr = relay.addr;
        async move { http_exchange(addr, "GET", &path, &[&bearer(token)], None).await }
    };

    let date = Date::parse("2026-11-13")?;
    let since = Date::parse("2026-11-09")?;
    let md = get(
        format!("/api/docs/{id}/export?format=md&date={date}&since={since}"),
        TOKEN,
    )
    .await?;
    assert_eq!(md.status, 200, "{}", md.text());
    assert_eq!(
        md.header("content-type"),
        Some("text/markdown; charset=utf-8")
    );
    assert_eq!(
        md.header("content-disposition"),
        Some("attachment; filename=\"caucus-report-2026-11-13.md\"")
    );
    assert_eq!(md.header("cache-control"), Some("no-store"));
    let expected = caucus_model::report::weekly_report(
        &doc,
        &ReportOptions {
            date,
            since: Since::Date(since),
        },
    )?;
    assert_eq!(md.text(), expected);

    let csv = get(format!("/api/docs/{id}/export?format=csv"), TOKEN).await?;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.text(), caucus_model::report::matrix_csv(&doc)?);

    // As of a day: the typed view of the document at the end of that day.
    let then_day = Date::parse("2026-11-06")?;
    let json = get(
        format!("/api/docs/{id}/export?format=json&at={then_day}"),
        TOKEN,
    )
    .await?;
    assert_eq!(json.status, 200, "{}", json.text());
    let then = caucus_model::history::view_at(
        &doc,
        &caucus_model::history::heads_before(&doc, then_day.end_unix()),
    )?;
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&json.body)?,
        serde_json::to_value(&then)?
    );
    assert!(
        then != caucus_model::read_analysis(&doc)?,
        "the sample changes after {then_day}"
    );

    // History of one position: what the model says, as JSON.
    let field = "countries/BR/positions/res-102";
    let history = get(
        format!("/api/docs/{id}/history?field={field}&limit=5&raw=1"),
        TOKEN,
    )
    .await?;
    assert_eq!(history.status, 200, "{}", history.text());
    let entries: serde_json::Value = serde_json::from_slice(&history.body)?;
    let local = caucus_model::history::history(
        &doc,
        &caucus_model::history::HistoryQuery::for_path(field).with_limit(5),
    )?;
    assert!(!local.is_empty(), "the sample edits Brazil on Res 102");
    assert_eq!(entries, serde_json::to_value(&local)?);
    assert!(
        local[0].member_name.is_some(),
        "the latest edit is by a registered member: {:?}",
        local[0]
    );

    // Bad input: clear 400s, and the relay keeps serving.
    for (query, needle) in [
        ("format=pdf", "unknown format"),
        ("format=md&date=2026-13-01", "date"),
        ("format=md&since=yesterday", "since"),
        ("format=csv&at=2026-11-01", "json"),
        ("format=md&colour=red", "colour"),
    ] {
        let answer = get(format!("/api/docs/{id}/export?{query}"), TOKEN).await?;
        assert_eq!(answer.status, 400, "{query}: {}", answer.text());
        assert!(answer.text().contains(needle), "{query}: {}", answer.text());
    }
    let bad_id = get("/api/docs/not-a-doc/export".into(), TOKEN).await?;
    assert_eq!(bad_id.status, 400);
    let unknown = get(format!("/api/docs/{}/export", DocumentId::random()), TOKEN).await?;
    assert_eq!(unknown.status, 404);
    relay.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_tokens_that_may_read_a_document_get_its_exports() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (relay, id, _) = relay_with_sample(dir.path()).await?;
    let other = DocumentId::random();
    let (_, viewer) = relay.mint(r#"{"role":"viewer","name":"press"}"#).await?;
    let (_, limited) = relay
        .mint(&format!(
            r#"{{"role":"editor","name":"one doc","docs":["{other}"]}}"#
        ))
        .await?;
    let path = format!("/api/docs/{id}/export?format=csv");
    let none = http_exchange(relay.addr, "GET", &path, &[], None).await?;
    assert_eq!(none.status, 401);
    let wrong = http_exchange(relay.addr, "GET", &path, &[&bearer("nope")], None).await?;
    assert_eq!(wrong.status, 401);
    let viewer_reads = http_exchange(relay.addr, "GET", &path, &[&bearer(&viewer)], None).await?;
    assert_eq!(viewer_reads.status, 200, "viewers may export");
    // A token limited to another document learns nothing: the same 404 as a missing one.
    let hidden = http_exchange(relay.addr, "GET", &path, &[&bearer(&limited)], None).await?;
    assert_eq!(hidden.status, 404);
    let history = format!("/api/docs/{id}/history");
    let hidden = http_exchange(relay.addr, "GET", &history, &[&bearer(&limited)], None).await?;
    assert_eq!(hidden.status, 404);
    relay.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_file_reaches_connected_peers_once_and_bad_files_change_nothing()
-> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (relay, id, doc) = relay_with_sample(dir.path()).await?;
    let id_bytes = changefile::document_id_bytes(&id.to_bytes())?;

    // Bob is connected and in sync.
    let mut bob = Peer::connect(&relay.ws_url(), "bob").await?;
    let mut bob_doc = PeerDoc::new(id.clone(), Automerge::new());
    bob.request(&mut bob_doc).await?;
    bob.sync_until_heads(&mut bob_doc, &doc.get_heads()).await?;

    // Carol works with no network at all; her edit travels as a file.
    let mut carol = AutoCommit::load(&doc.save())?.with_actor(ActorId::random());
    let when = Timestamp::parse("2026-11-21T15:00:00Z")?;
    caucus_model::register_member(&mut carol, "carol", "Carol", "Hall team")?;
    caucus_model::set_stance(
        &mut carol,
        &Attribution::new("carol", when.clone()),
        "KE",
        "res-102",
        Stance::Opposes,
    )?;
    caucus_model::commit_edit(&mut carol, "from the hall, no Wi-Fi", &when);
    let carol = carol.document().clone();
    let file = changefile::export_changes(&carol, &id_bytes, &doc.get_heads())?;

    let post = |bytes: Vec<u8>, token: String| {
        let addr = relay.addr;
        let path = format!("/api/docs/{id}/changes");
        async move {
            http_exchange(
                addr,
                "POST",
                &path,
                &[&bearer(&token), "Content-Type: application/octet-stream"],
                Some(&bytes),
            )
            .await
        }
    };
    let (_, viewer) = relay.mint(r#"{"role":"viewer","name":"press"}"#).await?;
    let refused = post(file.clone(), viewer).await?;
    assert_eq!(refused.status, 403, "{}", refused.text());

    let imported = post(file.clone(), TOKEN.into()).await?;
    assert_eq!(imported.status, 200, "{}", imported.text());
    let answer: serde_json::Value = serde_json::from_slice(&imported.body)?;
    assert_eq!(answer["newChanges"], 1);
    // Persisted, then fanned out: Bob gets Carol's edit without asking.
    bob.sync_until_heads(&mut bob_doc, &carol.get_heads())
        .await?;
    let bob_view = caucus_model::read_analysis(&bob_doc.doc)?;
    assert_eq!(
        bob_view.countries["KE"].positions["res-102"].stance,
        Stance::Opposes
    );

    let again = post(file.clone(), TOKEN.into()).await?;
    assert_eq!(again.status, 200);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&again.body)?["newChanges"],
        0
    );

    let mut corrupt = file.clone();
    let last = corrupt.len() - 1;
    corrupt[last] ^= 1;
    let foreign = changefile::export_changes(&carol, &[9; 16], &doc.get_heads())?;
    // A file that starts after a change the relay never saw.
    let mut dave = AutoCommit::load(&carol.save())?.with_actor(ActorId::random());
    caucus_model::set_stance(
        &mut dave,
        &Attribution::new("carol", when.clone()),
        "KE",
        "res-102",
        Stance::Mixed,
    )?;
    caucus_model::commit_edit(&mut dave, "one", &when);
    let middle = dave.get_heads();
    caucus_model::set_stance(
        &mut dave,
        &Attribution::new("carol", when.clone()),
        "KE",
        "res-102",
        Stance::Undecided,
    )?;
    caucus_model::commit_edit(&mut dave, "two", &when);
    let gap = changefile::export_changes(dave.document(), &id_bytes, &middle)?;
    for (what, bytes, status, needle) in [
        ("corrupt", corrupt, 400, "checksum"),
        ("foreign", foreign, 400, "holds changes for document"),
        ("truncated", file[..40].to_vec(), 400, "truncated"),
        (
            "not a change file",
            b"hello".to_vec(),
            400,
            "not a caucus change file",
        ),
        ("gap", gap, 409, "needs earlier changes"),
    ] {
        let answer = post(bytes, TOKEN.into()).await?;
        assert_eq!(answer.status, status, "{what}: {}", answer.text());
        assert!(answer.text().contains(needle), "{what}: {}", answer.text());
    }
    let stored = stored_doc(&relay.storage, &id).await?.expect("stored");
    assert_eq!(
        stored.get_heads(),
        carol.get_heads(),
        "bad files changed nothing"
    );

    // And out again: the changes since the sample, as a file any replica can load.
    let since = doc
        .get_heads()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let out = http_exchange(
        relay.addr,
        "GET",
        &format!("/api/docs/{id}/changes?since={since}"),
        &[&bearer(TOKEN)],
        None,
    )
    .await?;
    assert_eq!(out.status, 200, "{}", out.text());
    let mut replica = doc.clone();
    let outcome = changefile::import_changes(&mut replica, &id_bytes, &out.body)?;
    assert_eq!(outcome.new_changes, 1);
    assert_eq!(replica.get_heads(), carol.get_heads());

    // Durable: a restart still has it.
    relay.stop().await?;
    let relay = TestRelay::start(dir.path()).await?;
    let stored = stored_doc(&relay.storage, &id).await?.expect("stored");
    assert_eq!(stored.get_heads(), carol.get_heads());
    relay.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_file_over_the_size_bound_is_refused_with_413() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = caucus_relay::Config::for_data_dir(dir.path());
    config.max_change_file_bytes = 4096;
    // The body may also carry this much of files.
    config.files.max_file_bytes = 4096;
    let relay = TestRelay::start_with(config).await?;
    let id = DocumentId::random();
    let big = vec![0u8; 64 * 1024];
    let answer = http_exchange(
        relay.addr,
        "POST",
        &format!("/api/docs/{id}/changes"),
        &[&bearer(TOKEN)],
        Some(&big),
    )
    .await?;
    assert_eq!(answer.status, 413, "{}", answer.text());
    assert!(
        answer.text().contains("larger than this relay accepts"),
        "{}",
        answer.text()
    );
    let (status, metrics) = relay.metrics().await?;
    assert_eq!(status, 200);
    assert!(metrics.contains(r#"limit="change_file_bytes""#), "counted");
    relay.stop().await
}
