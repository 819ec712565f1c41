//! Messages edited in place: the approval tally and the kickoff's alignment count are
//! posted once and then edited (an edit post naming the original's key), one edit per
//! decision, never a second message.

use super::*;
use crate::notice::{TallyDecision, TallyGroup};

fn tally_of(post: &Post) -> (&Vec<TallyGroup>, bool) {
    match &post.notice {
        Notice::ApprovalTally {
            groups, approved, ..
        } => (groups, *approved),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_tally_is_posted_with_the_request_and_edited_after_each_decision() {
    let d = apply(&planned(), Event::StageDue { stage: 11 });
    let keys: Vec<(&str, Option<&str>)> = d
        .posts
        .iter()
        .map(|p| (p.key.as_str(), p.edits.as_deref()))
        .collect();
    assert_eq!(
        keys,
        [
            ("growth/2027-Q1/s11/request/v1", None),
            ("growth/2027-Q1/s11/tally/v1", None)
        ]
    );
    let (groups, approved) = tally_of(&d.posts[1]);
    assert!(!approved);
    assert_eq!(
        groups
            .iter()
            .map(|g| (g.label.as_str(), g.needed, g.decisions.len()))
            .collect::<Vec<_>>(),
        [("marketing lead", 1, 0), ("finance lead", 2, 0)]
    );

    let mut run = d.run;
    let mut edits = Vec::new();
    for (who, group) in [("m1", "marketing"), ("f1", "finance"), ("f2", "finance")] {
        let d = apply(&run, verdict(who, group, Verdict::Approve, 1, Some("fine")));
        // One edit of the tally per decision; no separate verdict post.
        let of_tally: Vec<&Post> = d
            .posts
            .iter()
            .filter(|p| p.key.starts_with("growth/2027-Q1/s11/tally/"))
            .collect();
        assert_eq!(of_tally.len(), 1, "{:?}", d.posts);
        assert!(d.posts.iter().all(|p| p.kind() != "approval_verdict"));
        edits.push(of_tally[0].clone());
        run = d.run;
    }
    assert_eq!(
        edits.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(),
        [
            "growth/2027-Q1/s11/tally/v1/edit/1",
            "growth/2027-Q1/s11/tally/v1/edit/2",
            "growth/2027-Q1/s11/tally/v1/edit/3"
        ]
    );
    assert!(
        edits
            .iter()
            .all(|p| p.edits.as_deref() == Some("growth/2027-Q1/s11/tally/v1"))
    );
    assert!(edits.iter().all(|p| p.kind() == "approval_tally_edit"));
    let (groups, approved) = tally_of(&edits[2]);
    assert!(approved, "the last edit says the plan is approved");
    assert_eq!(
        groups[1].decisions,
        [
            TallyDecision {
                actor: "f1".into(),
                verdict: Verdict::Approve,
                note: Some("fine".into()),
                carried_from: None
            },
            TallyDecision {
                actor: "f2".into(),
                verdict: Verdict::Approve,
                note: Some("fine".into()),
                carried_from: None
            }
        ]
    );
    let text = shown(&edits[2]).body;
    assert!(
        text.starts_with("Plan v1 is approved by every group."),
        "{text}"
    );
    assert!(
        text.contains("**finance lead**: 2 of 2 approvals needed"),
        "{text}"
    );
    assert!(text.contains("- f2 approved: fine"), "{text}");

    // The same decision again is refused: no second edit.
    assert!(matches!(
        refuse(&run, verdict("m1", "marketing", Verdict::Approve, 1, None)),
        Rejection::NotNow(_) | Rejection::Duplicate(_)
    ));
}

#[test]
fn a_change_request_edits_the_tally_and_still_asks_the_owners() {
    let d = apply(
        &in_review(),
        verdict(
            "m1",
            "marketing",
            Verdict::RequestChanges,
            1,
            Some("less TV"),
        ),
    );
    let kinds: Vec<String> = d.posts.iter().map(Post::kind).collect();
    assert_eq!(kinds, ["approval_verdict", "approval_tally_edit"]);
    let text = shown(&d.posts[1]).body;
    assert!(text.contains("- m1 requested changes: less TV"), "{text}");
    assert!(
        text.starts_with("Plan v1 cannot be approved as it stands"),
        "{text}"
    );
}

#[test]
fn each_acknowledgement_edits_the_alignment_count_in_place() {
    let run = executing();
    let posted = apply(&approved(), Event::StageDue { stage: 12 }).run;
    let d = apply(
        &posted,
        Event::StageComputed {
            stage: 12,
            result: {
                let mut r = result(None);
                r.output = StageOutputKind::Kickoff {
                    roster: vec![
                        RosterEntry::new("Spring webinar", "Avery"),
                        RosterEntry::new("Search always-on", "Jordan"),
                    ],
                };
                r
            },
        },
    );
    let aligned: Vec<&Post> = d
        .posts
        .iter()
        .filter(|p| p.kind() == "aligned_share")
        .collect();
    assert_eq!(aligned.len(), 1);
    assert_eq!(aligned[0].key, "growth/2027-Q1/s12/aligned");

    let d = apply(
        &run,
        Event::KickoffAcknowledged {
            actor: Actor::new("a", "Avery", &[]),
        },
    );
    assert_eq!(d.posts.len(), 1);
    let edit = &d.posts[0];
    assert_eq!(edit.key, "growth/2027-Q1/s12/aligned/edit/1");
    assert_eq!(edit.edits.as_deref(), Some("growth/2027-Q1/s12/aligned"));
    let Notice::AlignedShare { owners, share, .. } = &edit.notice else {
        panic!("{:?}", edit.notice);
    };
    assert_eq!(
        *owners,
        [("Avery".to_owned(), true), ("Jordan".to_owned(), false)]
    );
    assert_eq!(*share, 0.5);
    let text = shown(edit).body;
    assert!(
        text.starts_with("1 of 2 campaign owners acknowledged the plan (50% aligned)."),
        "{text}"
    );
}
