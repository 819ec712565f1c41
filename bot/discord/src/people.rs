//! The people's commands: approvals, change requests and amendments, absences and
//! delegation, launches, the audit trail. Each one only translates Discord's options
//! into a [`Command`]; the app decides (roles, the engine, the audit trail).

use poise::serenity_prelude as serenity;
use quarterdeck_domain::AmendmentKind;

use crate::gateway::{Ctx, Error, answer};
use crate::port::{Command, Suggestion};

/// Approve the current plan version for your stakeholder group
#[poise::command(slash_command)]
pub async fn approve(
    ctx: Ctx<'_>,
    #[description = "A comment for the audit trail"] comment: Option<String>,
) -> Result<(), Error> {
    answer(ctx, Command::Approve { comment }, true).await
}

/// Reject the current plan version for your stakeholder group
#[poise::command(slash_command)]
pub async fn reject(
    ctx: Ctx<'_>,
    #[description = "Why: the plan's owner sees it, and it goes into the audit trail"]
    reason: String,
) -> Result<(), Error> {
    answer(ctx, Command::Reject { reason }, true).await
}

/// Ask for changes (without words: a form, with an optional structured change)
#[poise::command(slash_command, rename = "request-changes")]
pub async fn request_changes(
    ctx: Ctx<'_>,
    #[description = "What should change, and why (leave out to open the form)"] what: Option<
        String,
    >,
    #[description = "The plan section it concerns, e.g. Budget"] section: Option<String>,
) -> Result<(), Error> {
    match what {
        Some(what) => answer(ctx, Command::RequestChanges { section, what }, true).await,
        None => crate::gateway::open_form(ctx, Command::RequestChangesForm).await,
    }
}

/// A structured change to the plan: the affected stages re-run and make a new version
#[poise::command(
    slash_command,
    subcommands(
        "amend_hold_back",
        "amend_move_money",
        "amend_set_channel",
        "amend_reserve_share",
        "amend_total",
        "amend_target",
        "amend_move_campaign",
        "amend_reown_campaign"
    ),
    subcommand_required
)]
pub async fn amend(_: Ctx<'_>) -> Result<(), Error> {
    Ok(())
}

async fn amendment(
    ctx: Ctx<'_>,
    amendment: AmendmentKind,
    note: Option<String>,
) -> Result<(), Error> {
    answer(ctx, Command::Amend { amendment, note }, true).await
}

/// Hold back a share of a channel's budget into the test reserve
#[poise::command(slash_command, rename = "hold-back")]
pub async fn amend_hold_back(
    ctx: Ctx<'_>,
    #[description = "The channel"]
    #[autocomplete = "suggest_channel"]
    channel: String,
    #[description = "Percent of its budget, e.g. 5"]
    #[min = 0.1]
    #[max = 100]
    percent: f64,
    #[description = "Why"] note: Option<String>,
) -> Result<(), Error> {
    let share = percent / 100.0;
    amendment(ctx, AmendmentKind::HoldBack { channel, share }, note).await
}

/// Move money from one channel's budget to another's
#[poise::command(slash_command, rename = "move-money")]
pub async fn amend_move_money(
    ctx: Ctx<'_>,
    #[description = "From this channel"]
    #[autocomplete = "suggest_channel"]
    from: String,
    #[description = "To this channel"]
    #[autocomplete = "suggest_channel"]
    to: String,
    #[description = "Amount, in the plan's currency"]
    #[min = 1]
    amount: f64,
    #[description = "Why"] note: Option<String>,
) -> Result<(), Error> {
    amendment(ctx, AmendmentKind::MoveMoney { from, to, amount }, note).await
}

/// Set a channel's budget; the difference comes from (or goes to) the reserve
#[poise::command(slash_command, rename = "set-channel")]
pub async fn amend_set_channel(
    ctx: Ctx<'_>,
    #[description = "The channel"]
    #[autocomplete = "suggest_channel"]
    channel: String,
    #[description = "Its new budget, in the plan's currency"]
    #[min = 0]
    amount: f64,
    #[description = "Why"] note: Option<String>,
) -> Result<(), Error> {
    amendment(ctx, AmendmentKind::SetChannel { channel, amount }, note).await
}

/// Change the share of the budget kept as the test reserve
#[poise::command(slash_command, rename = "reserve-share")]
pub async fn amend_reserve_share(
    ctx: Ctx<'_>,
    #[description = "Percent of the total, e.g. 12"]
    #[min = 0]
    #[max = 50]
    percent: f64,
    #[description = "Why"] note: Option<String>,
) -> Result<(), Error> {
    let share = percent / 100.0;
    amendment(ctx, AmendmentKind::ReserveShare { share }, note).await
}

/// Change the quarter's total budget
#[poise::command(slash_command, rename = "total")]
pub async fn amend_total(
    ctx: Ctx<'_>,
    #[description = "The new total, in the plan's currency"]
    #[min = 1]
    amount: f64,
    #[description = "Why"] note: Option<String>,
) -> Result<(), Error> {
    amendment(ctx, AmendmentKind::Total { amount }, note).await
}

#[derive(Debug, poise::ChoiceParameter)]
pub enum Metric {
    #[name = "Revenue"]
    Revenue,
    #[name = "Pipeline"]
    Pipeline,
    #[name = "MQLs"]
    Mqls,
}

/// Change one of the quarter's targets
#[poise::command(slash_command, rename = "target")]
pub async fn amend_target(
    ctx: Ctx<'_>,
    #[description = "Which target"] metric: Metric,
    #[description = "The new value"]
    #[min = 0]
    value: f64,
    #[description = "Why"] note: Option<String>,
) -> Result<(), Error> {
    let metric = match metric {
        Metric::Revenue => "revenue",
        Metric::Pipeline => "pipeline",
        Metric::Mqls => "mqls",
    }
    .to_owned();
    amendment(ctx, AmendmentKind::Target { metric, value }, note).await
}

/// Move a campaign to a new start date, keeping its length
#[poise::command(slash_command, rename = "move-campaign")]
pub async fn amend_move_campaign(
    ctx: Ctx<'_>,
    #[description = "The campaign"]
    #[autocomplete = "suggest_campaign"]
    campaign: String,
    #[description = "New start date, YYYY-MM-DD"] start: String,
    #[description = "Why"] note: Option<String>,
) -> Result<(), Error> {
    let reference = ctx.id().to_string();
    match chrono::NaiveDate::parse_from_str(start.trim(), "%Y-%m-%d") {
        Ok(start) => amendment(ctx, AmendmentKind::MoveCampaign { campaign, start }, note).await,
        Err(_) => {
            crate::gateway::refuse(
                ctx,
                &reference,
                format!("start: expected a date as YYYY-MM-DD (e.g. 2027-01-18), got `{start}`."),
            )
            .await
        }
    }
}

/// Give a campaign a new owner
#[poise::command(slash_command, rename = "reown-campaign")]
pub async fn amend_reown_campaign(
    ctx: Ctx<'_>,
    #[description = "The campaign"]
    #[autocomplete = "suggest_campaign"]
    campaign: String,
    #[description = "Its new owner"] owner: serenity::User,
    #[description = "Why"] note: Option<String>,
) -> Result<(), Error> {
    let kind = AmendmentKind::ReownCampaign {
        campaign,
        owner: owner
            .global_name
            .clone()
            .unwrap_or_else(|| owner.name.clone()),
        owner_id: Some(owner.id.to_string()),
    };
    amendment(ctx, kind, note).await
}

/// Away on these dates: your check-ins are excused, and a delegate may answer for you
#[poise::command(slash_command)]
pub async fn away(
    ctx: Ctx<'_>,
    #[description = "First day away, YYYY-MM-DD"] from: String,
    #[description = "Last day away, YYYY-MM-DD"] until: String,
    #[description = "Who answers and approves for you meanwhile"] delegate: Option<serenity::User>,
) -> Result<(), Error> {
    let delegate = delegate.map(|u| u.id.to_string());
    answer(
        ctx,
        Command::Away {
            from,
            until,
            delegate,
        },
        true,
    )
    .await
}

/// Hand your approvals and check-ins to someone until a date
#[poise::command(slash_command)]
pub async fn delegate(
    ctx: Ctx<'_>,
    #[description = "Who answers and approves for you"] user: serenity::User,
    #[description = "Last day, YYYY-MM-DD"] until: String,
) -> Result<(), Error> {
    let user = user.id.to_string();
    answer(ctx, Command::Delegate { user, until }, true).await
}

/// Your campaigns: confirm a launch
#[poise::command(slash_command, subcommands("campaign_launched"), subcommand_required)]
pub async fn campaign(_: Ctx<'_>) -> Result<(), Error> {
    Ok(())
}

/// Confirm that one of your campaigns is live
#[poise::command(slash_command, rename = "launched")]
pub async fn campaign_launched(
    ctx: Ctx<'_>,
    #[description = "The campaign"]
    #[autocomplete = "suggest_campaign"]
    campaign: String,
) -> Result<(), Error> {
    answer(ctx, Command::CampaignLaunched { campaign }, true).await
}

/// Every decision on this quarter's plan (only to you), with the whole trail as CSV
#[poise::command(slash_command)]
pub async fn audit(
    ctx: Ctx<'_>,
    #[description = "Page, from 1"]
    #[min = 1]
    page: Option<u32>,
) -> Result<(), Error> {
    let page = page.unwrap_or(1);
    answer(ctx, Command::Audit { page }, true).await
}

async fn suggest(
    ctx: Ctx<'_>,
    what: Suggestion,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let caller = crate::gateway::caller(ctx);
    let choices = ctx
        .data()
        .backend
        .suggest(&caller, what, partial)
        .await
        .into_iter()
        .take(crate::render::limits::AUTOCOMPLETE_CHOICES)
        .map(|(label, value)| serenity::AutocompleteChoice::new(label, value))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

async fn suggest_campaign(ctx: Ctx<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    suggest(ctx, Suggestion::Campaign, partial).await
}

async fn suggest_channel(ctx: Ctx<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    suggest(ctx, Suggestion::Channel, partial).await
}
