//! Reactions as events. The message a reaction is on is found among the stored posts by
//! its Discord message id (persisted with the outbox row, so it works after a restart);
//! what the post is decides what the emoji means:
//!
//! - the approval request or the tally of plan vN: ✅ approves, ❌ rejects, 📝 requests
//!   changes (the note says to follow up with `/request-changes`);
//! - a kickoff post (stage 12's findings, a campaign's headline, the alignment count):
//!   ✅ acknowledges.
//!
//! Each becomes the same engine event as the button, with the same checks: a reaction
//! from someone who is not in a pending group is refused and audited; a redelivered
//! reaction is a duplicate and changes nothing.

use quarterdeck_discord::port::{Caller, Reply};

use super::backend::AppBackend;
use super::people::Ask;
use crate::config::TeamSettings;
use crate::domain::{Actor, QuarterRun, Verdict};
use crate::engine::Event;

pub const APPROVE: &str = "✅";
pub const REJECT: &str = "❌";
pub const REQUEST_CHANGES: &str = "📝";

/// What a reaction asks for, from the post it is on and its emoji.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Meaning {
    Verdict { verdict: Verdict, version: u32 },
    Acknowledge,
}

/// The meaning of `emoji` on the post keyed `key` (`run/s11/request/v2`,
/// `run/s11/tally/v2`, `run/s12/result/v1`, `run/s12/campaign/…`), if it has one.
pub fn meaning(key: &str, emoji: &str) -> Option<Meaning> {
    let emoji = emoji.trim_end_matches('\u{fe0f}');
    let mut parts = key.rsplitn(4, '/');
    let (last, what, stage) = (parts.next()?, parts.next()?, parts.next()?);
    match (stage, what) {
        ("s11", "request" | "tally") => {
            let version = last.strip_prefix('v')?.parse().ok()?;
            let verdict = match emoji {
                APPROVE => Verdict::Approve,
                REJECT => Verdict::Reject,
                REQUEST_CHANGES => Verdict::RequestChanges,
                _ => return None,
            };
            Some(Meaning::Verdict { verdict, version })
        }
        ("s12", "result" | "campaign") if emoji == APPROVE => Some(Meaning::Acknowledge),
        (_, "s12") if last == "aligned" && emoji == APPROVE => Some(Meaning::Acknowledge),
        _ => None,
    }
}

impl AppBackend {
    /// A reaction on a stored post: the event it means, decided and audited by the engine.
    pub(super) async fn reaction(
        &self,
        caller: &Caller,
        team: &TeamSettings,
        run: &QuarterRun,
        actor: Actor,
        message_id: &str,
        emoji: &str,
    ) -> Reply {
        let post = match self.engine().store().post_by_message_id(message_id).await {
            Ok(Some(p)) => p,
            Ok(None) => return ignored(caller, "a message the bot did not post"),
            Err(e) => {
                tracing::error!(reference = %caller.reference, error = %e, "cannot look the message up");
                return Reply::error(&caller.reference, "The store is unavailable.");
            }
        };
        if post.run_id != run.id {
            return ignored(caller, "a post of another run");
        }
        match meaning(&post.key, emoji) {
            Some(Meaning::Verdict { verdict, version }) => {
                let note = (verdict == Verdict::RequestChanges).then(|| {
                    format!(
                        "asked by reaction {REQUEST_CHANGES}; the details follow with /request-changes"
                    )
                });
                let ask = Ask {
                    verdict,
                    version: Some(version),
                    note,
                };
                self.verdict(caller, team, run, actor, ask).await
            }
            Some(Meaning::Acknowledge) => {
                let event = Event::KickoffAcknowledged { actor };
                self.people_event(caller, &run.id, event, "Acknowledged by reaction.")
                    .await
            }
            None => ignored(caller, "a reaction with no meaning here"),
        }
    }
}

fn ignored(caller: &Caller, what: &str) -> Reply {
    tracing::debug!(reference = %caller.reference, "reaction on {what}: ignored");
    Reply::private(crate::chat::Message::new("Ignored", what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emoji_means_what_the_post_it_is_on_asks_for() {
        let approve = |v| Meaning::Verdict {
            verdict: Verdict::Approve,
            version: v,
        };
        assert_eq!(
            meaning("growth/2027-Q1/s11/request/v2", "✅"),
            Some(approve(2))
        );
        assert_eq!(
            meaning("growth/2027-Q1/s11/tally/v3", "✅\u{fe0f}"),
            Some(approve(3))
        );
        assert_eq!(
            meaning("growth/2027-Q1/s11/tally/v1", "❌"),
            Some(Meaning::Verdict {
                verdict: Verdict::Reject,
                version: 1
            })
        );
        assert_eq!(
            meaning("growth/2027-Q1/s11/request/v1", "📝"),
            Some(Meaning::Verdict {
                verdict: Verdict::RequestChanges,
                version: 1
            })
        );
        assert_eq!(
            meaning("growth/2027-Q1/s12/campaign/spring-launch", "✅"),
            Some(Meaning::Acknowledge)
        );
        assert_eq!(
            meaning("growth/2027-Q1/s12/campaign/spring-launch", "❌"),
            None
        );
        assert_eq!(meaning("growth/2027-Q1/s11/request/v1", "👍"), None);
        assert_eq!(meaning("growth/2027-Q1/s06/result/v1", "✅"), None);
        assert_eq!(meaning("growth/2027-Q1/s11/tally/v1/edit/2", "✅"), None);
    }
}
