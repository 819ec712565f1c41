//! Reactions as events: MESSAGE_REACTION_ADD (intent GUILD_MESSAGE_REACTIONS, not
//! privileged) from a guild member becomes [`Command::Reaction`], which the app maps to
//! the same engine event as the matching button. The member's roles come with the event
//! (no member cache needed); the bot's own reactions are ignored.

use poise::serenity_prelude as serenity;

use crate::gateway::{Data, display_name, log_refusal};
use crate::port::{Caller, Command};

pub(crate) async fn added(ctx: &serenity::Context, data: &Data, r: &serenity::Reaction) {
    let (Some(user), Some(member)) = (r.user_id, r.member.as_ref()) else {
        return; // a DM reaction: nothing there to decide
    };
    if user == ctx.cache.current_user().id || member.user.bot {
        return;
    }
    let serenity::ReactionType::Unicode(emoji) = &r.emoji else {
        return; // custom emojis mean nothing here
    };
    let caller = Caller {
        user_id: user.to_string(),
        name: display_name(&member.user, Some(member)),
        role_ids: member.roles.iter().map(ToString::to_string).collect(),
        guild_id: r.guild_id.map(|g| g.to_string()),
        channel_id: r.channel_id.to_string(),
        reference: format!("reaction-{}-{user}", r.message_id),
    };
    tracing::info!(reference = %caller.reference, %emoji, user = %caller.user_id, "reaction");
    let command = Command::Reaction {
        message_id: r.message_id.to_string(),
        emoji: emoji.clone(),
    };
    // There is no interaction to answer: the tally's edit confirms, a refusal is audited.
    let reply = data.backend.handle(&caller, command).await;
    log_refusal(&caller, &reply);
}
